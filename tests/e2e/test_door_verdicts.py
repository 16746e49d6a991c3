"""Every verdict vector (tests/checkin/vectors.py) decided by the door page's decide.js,
loaded in headless Chromium from checkin the way the door page loads it (an ES module
under /door).

The adapter (DECIDE_ALL, in the page) builds what scan.js gives decide() offline:

- ``parsed``: null for a ``garbled`` code, else the code's event id (this event's or
  another's) and ticket id; ``verified``: the code is ``valid``.
- ``pack``: this event; the ticket in ``tickets`` when it is ``known`` (type,
  sessions, status); its id in ``revoked`` when it is revoked; every earlier scan known to
  the ``pack`` (or ``both``) in ``checked_in``, of whatever ticket and list.
- ``list``: the vector's list as the pack carries it.
- ``moves``: movesOf(pack, list, ticket, own scans), where the own scans are the earlier
  scans known to the ``device`` (or ``both``) of this ticket on this list (store.scansOf).
  Scans only the ``server`` knows of are not on the device.

The door's verdict must be the vector's ``offline`` one where it has one (the device
knows less than the server by design), else the server's.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser

from tests.checkin import vectors

DECIDE_ALL = """
async (cases) => {
  const { decide, movesOf } = await import("/door/decide.js");
  const THIS = "e-this", OTHER = "e-other", TICKET = "t-this", ELSE = "t-other";
  const ticketOf = (move) => (move.ticket === "this" ? TICKET : ELSE);
  const knows = (move, who) => move.known_to === who || move.known_to === "both";
  return cases.map((c) => {
    const t = c.ticket;
    const eventId = t.event === "this" ? THIS : OTHER;
    const parsed = t.code === "garbled" ? null : { eventId, ticketId: TICKET };
    const tickets = {};
    if (t.known) {
      tickets[TICKET] = {
        id: TICKET, holder_name: "Anna Nowak", ticket_type: t.ticket_type,
        sessions: t.sessions, status: t.status,
      };
    }
    const pack = {
      event: { id: THIS },
      lists: [c.list],
      tickets,
      revoked: t.revoked_listed ? [TICKET] : [],
      checked_in: c.previous.filter((m) => knows(m, "pack")).map((m) => ({
        ticket_id: ticketOf(m), list: m.list, at: m.at, gate: m.gate, device_id: m.device_id,
      })),
    };
    const own = c.previous
      .filter((m) => knows(m, "device") && ticketOf(m) === TICKET && m.list === c.list.slug)
      .map((m) => ({
        scanned_at: m.at, gate: m.gate, device_id: m.device_id, direction: m.direction,
        result: m.result,
      }));
    const decided = decide({
      parsed,
      verified: t.code === "valid",
      pack,
      list: c.list,
      direction: c.direction,
      now: new Date(c.now),
      moves: parsed ? movesOf(pack, c.list.slug, parsed.ticketId, own) : [],
    });
    const first = decided.first;
    return {
      name: c.name,
      result: decided.result,
      first: first && { at: first.at.toISOString(), gate: first.gate, device_id: first.device_id },
    };
  });
}
"""


async def test_door_decides_every_vector_as_it_says(
    service_client: Any, servers: Any, browser: Browser
) -> None:
    checkin = await service_client("checkin")
    base = str(checkin.make_url("")).rstrip("/")
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{base}/door/decide.js")
    decided = await page.evaluate(DECIDE_ALL, vectors.CASES)
    await page.close()
    assert errors == []
    assert [d["name"] for d in decided] == [case["name"] for case in vectors.CASES]
    wrong = {}
    for case, door in zip(vectors.CASES, decided, strict=True):
        expected = case.get("offline", case["expected"])
        want = vectors.verdict(expected["result"], expected["first"])
        got = vectors.verdict(door["result"], door["first"])
        if got != want:
            wrong[case["name"]] = {"door": got, "vector": want}
    assert wrong == {}
