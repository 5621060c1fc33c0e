"""`conformance check`: bring up a maker's test agent before a full run.

It reaches the agent, checks the protocol version, the token, the declared
features against what the device reports, and that every operation the
suite sends is there. An operation is probed without side effects: its
`args` is not an object, which docs/protocol.md 6.1 answers `bad_request`
for an implemented operation (step 5), `unsupported` for one of a feature
the model lacks (step 4) and `unknown_op` for a missing one (step 3).
Nothing here judges a clause; it tells the maker what the run would trip on.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from conformance.declaration import Declaration
from conformance.emulator_process import start_emulator
from device_adapters import protocol, registry
from device_adapters.errors import DeviceError, TransportError
from device_adapters.watch import Watch, known_operations

OK, PROBLEM = "ok", "problem"
_probe_ids = itertools.count(1)


@dataclass
class Finding:
    subject: str
    status: str  # ok, problem
    en: str
    zh: str


@contextmanager
def connected(declaration: Declaration) -> Iterator[Watch]:
    """A Watch on the declared device; for address 'embedded', on a reference emulator started for the check."""
    emulator = None
    if declaration.embedded:
        switches = list(declaration.emulator.get("defects", [])) + list(declaration.emulator.get("variants", []))
        emulator = start_emulator(features=declaration.present_features, defects=switches, token=declaration.ixit["agent_token"], real_clock=not declaration.ixit["test_clock"])
        declaration.address = emulator.address
    try:
        watch = Watch(registry.open_transport(declaration), auth=declaration.ixit["agent_token"], app_ids=declaration.ixit.get("apps"))
        try:
            yield watch
        finally:
            watch.close()
    finally:
        if emulator is not None:
            emulator.stop()
            declaration.address = "embedded"


def _raw(watch: Watch, op: str, *, args: Any = None, auth: str | None = None) -> Any:
    """One request outside the Watch API (a bad token, args that are not an object); the reply as it came."""
    message: dict[str, Any] = {"dtp": protocol.VERSION, "id": f"check-{next(_probe_ids)}", "op": op, "role": "tester", "args": {} if args is None else args}
    if auth is not None:
        message["auth"] = auth
    return watch.transport.exchange(message)


def _error_code(reply: Any) -> str | None:
    if isinstance(reply, dict) and reply.get("ok") is False and isinstance(reply.get("error"), dict):
        return reply["error"].get("code")
    return None


def check_agent(declaration: Declaration) -> list[Finding]:
    findings: list[Finding] = []
    with connected(declaration) as watch:
        try:
            info = _raw(watch, "device.info", auth=declaration.ixit["agent_token"])
        except TransportError as exc:
            return [Finding("reach", PROBLEM, f"The test agent at {declaration.address} does not answer: {exc}.", f"位于 {declaration.address} 的测试代理无应答：{exc}。")]
        problem = protocol.schema_problem(info)
        if problem:
            return [Finding("reach", PROBLEM, f"device.info answered out of schema: {problem}.", f"device.info 的应答不符合协议模式：{problem}。")]
        if not info.get("ok"):
            code = _error_code(info)
            return [Finding("token", PROBLEM, f"device.info with the declared token was refused ({code}): is ixit.agent_token right?", f"使用声明的令牌调用 device.info 被拒绝（{code}）：ixit.agent_token 是否正确？")]
        result = info["result"]
        findings.append(Finding("reach", OK, f"The agent answers: {result.get('model')}, firmware {result.get('firmware')}.", f"测试代理有应答：{result.get('model')}，固件 {result.get('firmware')}。"))
        findings.append(_protocol_version(result))
        findings.append(_token(watch, declaration))
        findings.extend(_features(declaration, result))
        findings.extend(_operations(watch, declaration))
    return findings


def _protocol_version(result: dict) -> Finding:
    version = result.get("protocol")
    if version == protocol.VERSION:
        return Finding("protocol", OK, f"It speaks DTP v{version}.", f"其协议版本为 DTP v{version}。")
    return Finding("protocol", PROBLEM, f"It reports protocol {version!s}, and this harness speaks DTP v{protocol.VERSION}.", f"其报告的协议版本为 {version!s}，本工具使用 DTP v{protocol.VERSION}。")


def _token(watch: Watch, declaration: Declaration) -> Finding:
    wrong = declaration.ixit["agent_token"] + "-wrong"
    refused = [(label, _error_code(_raw(watch, "device.info", auth=auth))) for label, auth in (("no token", None), ("a wrong token", wrong))]
    accepted = [label for label, code in refused if code != "unauthenticated"]
    if not accepted:
        return Finding("token", OK, "The declared token is accepted; no token and a wrong one are refused unauthenticated.", "声明的令牌被接受；无令牌和错误令牌均被拒绝（unauthenticated）。")
    said = ", ".join(f"{label}: {code or 'answered'}" for label, code in refused if label in accepted)
    return Finding("token", PROBLEM, f"A request with {' and '.join(accepted)} is not refused unauthenticated ({said}); CSW-SEC-4 would not hold.",
                   f"携带{'和'.join('无令牌' if a == 'no token' else '错误令牌' for a in accepted)}的请求未被以 unauthenticated 拒绝（{said}）；CSW-SEC-4 将不成立。")


def _features(declaration: Declaration, result: dict) -> list[Finding]:
    reported = result.get("features")
    if not isinstance(reported, list):
        return [Finding("features", PROBLEM, "device.info reports no features list, so the declared features cannot be compared.", "device.info 未报告功能列表，无法与声明的功能比对。")]
    findings = []
    for feature, declared in declaration.features.items():
        there = feature in reported
        if declared == there:
            findings.append(Finding(f"feature {feature}", OK, f"{feature}: declared {'present' if declared else 'absent'}, and the device agrees.", f"{feature}：声明为{'具有' if declared else '不具有'}，与设备一致。"))
        else:
            findings.append(Finding(f"feature {feature}", PROBLEM, f"{feature}: declared {'present' if declared else 'absent'}, and the device reports it {'absent' if declared else 'present'}.",
                                    f"{feature}：声明为{'具有' if declared else '不具有'}，而设备报告为{'不具有' if declared else '具有'}。"))
    return findings


def _operations(watch: Watch, declaration: Declaration) -> list[Finding]:
    """Every operation the suite sends, probed with args that are not an object."""
    missing, odd, out_of_schema, unsupported, there = [], [], [], [], 0
    for op in known_operations():
        try:
            reply = _raw(watch, op, args=[], auth=declaration.ixit["agent_token"])
        except (TransportError, DeviceError) as exc:
            odd.append(f"{op} (no answer: {exc})")
            continue
        problem = protocol.schema_problem(reply)
        code = _error_code(reply)
        if problem:
            out_of_schema.append(f"{op} ({problem})")
        elif code == "bad_request":
            there += 1
        elif code == "unsupported":
            unsupported.append(op)
        elif code == "unknown_op":
            missing.append(op)
        else:
            odd.append(f"{op} ({code or 'a success'})")
    findings = [Finding("operations", OK, f"{there} of {len(known_operations())} operations the suite sends are there.", f"本工具发送的 {len(known_operations())} 个操作中有 {there} 个已实现。")]
    if unsupported:
        findings.append(Finding("operations", OK, f"Answered unsupported (a feature the model lacks): {', '.join(unsupported)}.", f"应答为 unsupported（该型号不具有的功能）：{', '.join(unsupported)}。"))
    if missing:
        findings.append(Finding("operations", PROBLEM, f"Missing (unknown_op): {', '.join(missing)}; scenarios that need them will be INCONCLUSIVE.", f"缺失（unknown_op）：{', '.join(missing)}；需要这些操作的场景将无法判定。"))
    if out_of_schema:
        findings.append(Finding("operations", PROBLEM, f"Reply out of schema: {'; '.join(out_of_schema)}.", f"应答不符合协议模式：{'；'.join(out_of_schema)}。"))
    if odd:
        findings.append(Finding("operations", PROBLEM, f"Args that are not an object should get bad_request (docs/protocol.md 6.1), and these answered otherwise: {'; '.join(odd)}.",
                                f"参数不是对象时应答应为 bad_request（docs/protocol.md 6.1），以下操作的应答不同：{'；'.join(odd)}。"))
    return findings


def print_findings(findings: list[Finding]) -> int:
    """The check's report, one finding per line in both languages; 0 when nothing stands in the way of a run, else 1."""
    for finding in findings:
        mark = "ok     " if finding.status == OK else "PROBLEM"
        print(f"{mark} {finding.en}\n        {finding.zh}")
    problems = sum(f.status == PROBLEM for f in findings)
    print(f"{problems} problem(s) found; 发现 {problems} 个问题" if problems else "the agent is ready for a run; 测试代理已可进行完整测试")
    return 1 if problems else 0
