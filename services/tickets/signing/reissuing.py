"""New codes for the tickets of a retired key.

Retiring a key (after it leaked, say) makes checkin refuse every code it signed. The
tickets themselves are still good: each valid one gets a new code, signed with the key
that signs now, and ``ticket.reissued`` tells the rest (notifications emails the holder
the new ticket; checkin knows tickets by id, so nothing changes there).

Every tickets instance runs a pass whenever the key bucket changes, which includes its
start (the bucket's current entries) and every retirement, by it or another instance. So
a pass cut short (a crash, a lost database) is finished by the next start, and tickets an
instance signed with a key in the moment before it heard of the retirement are caught by
the pass it runs when it does. Instances running at once share the work (SKIP LOCKED).
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import structlog
from aiohttp import web

from services.tickets import db
from services.tickets.signing import db as keys_db
from services.tickets.signing.signer import SIGNER
from shared import events, outbox
from shared.codes import sign_code
from shared.db import DB_POOL

log = structlog.get_logger()
BATCH = 200  # tickets a transaction: short locks, while a pass goes through thousands


async def reissue_retired(app: web.Application) -> int:
    """Give every valid ticket signed with a retired key a new code; how many got one."""
    done = 0
    while True:
        signer = app[SIGNER].signer
        async with app[DB_POOL].acquire() as conn, conn.transaction():
            retired = [k.id for k in await keys_db.select_keys(conn) if k.retired_at is not None]
            # Not while this instance still signs with a retired key: the bucket's change
            # that switches it starts another pass.
            if not retired or signer.key_id in retired:
                break
            tickets = await db.select_tickets_to_reissue(conn, retired, BATCH)
            if not tickets:
                break
            codes = [sign_code(signer.key, signer.key_id, t.id, t.event.id) for t in tickets]
            versions = await db.update_ticket_codes(
                conn, [t.id for t in tickets], codes, signer.key_id
            )
            now = datetime.now(UTC)
            await outbox.enqueue_many(
                conn,
                [
                    outbox.prepare(
                        events.TicketReissued(
                            ticket_id=t.id,
                            registration_id=t.registration_id,
                            code=code,
                            key_id=signer.key_id,
                            replaced_key_id=t.key_id,
                            event=t.event,
                            holder=msgspec.convert(
                                {"name": t.holder_name, "email": t.holder_email, "lang": t.lang},
                                events.Holder,
                            ),
                            manage_token_hash=t.manage_token_hash,
                            issued_at=t.issued_at,
                            reissued_at=now,
                        ),
                        t.id,
                        versions[t.id],
                    )
                    for t, code in zip(tickets, codes, strict=True)
                ],
            )
        done += len(tickets)
    if done:
        log.info("tickets_reissued", count=done, key_id=signer.key_id)
    return done
