"""Many services (ecsship/fleet/, ui/fleet_view.py): which manifests, their `after:` order, the runner. Pure."""
from __future__ import annotations

import io
import json
import sys
import threading

import pytest

from ecsship.errors import UsageError
from ecsship.fleet.files import expand
from ecsship.fleet.order import Member, dependants, find_cycle, order_problems, waves
from ecsship.fleet.runner import Result, exit_code, run
from ecsship.ui.fleet_view import routed_output


def test_expand_directories_globs_and_files(tmp_path):
    for rel in ("a/ecsship.yaml", "b/api.ecsship.yaml", "b/notes.yaml", ".git/ecsship.yaml", "c/d/ecsship.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("service: x\n")
    got = expand([str(tmp_path)])
    assert [p.replace(str(tmp_path) + "/", "") for p in got] == ["a/ecsship.yaml", "b/api.ecsship.yaml", "c/d/ecsship.yaml"]
    assert expand([str(tmp_path / "*" / "ecsship.yaml"), str(tmp_path / "a" / "ecsship.yaml")]) == [str(tmp_path / "a" / "ecsship.yaml")]
    assert expand(["-", "missing.yaml"]) == ["-", "missing.yaml"]  # loading says "no such file"
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no ecsship.yaml"):
        expand([str(tmp_path / "empty")])
    with pytest.raises(UsageError, match="no file matches"):
        expand([str(tmp_path / "zz*")])


def m(name, *after):
    return Member(name, f"{name}.yaml", tuple(after))


def test_order_problems_unknown_self_duplicate_and_cycles():
    assert [p.message for p in order_problems([m("a", "b"), m("b")])] == []
    assert "unknown service 'zz'" in order_problems([m("a", "zz")])[0].message
    assert "cannot come after itself" in order_problems([m("a", "a")])[0].message
    assert "also defined in a.yaml" in order_problems([m("a"), Member("a", "other.yaml")])[0].message
    cycle = order_problems([m("a", "c"), m("b", "a"), m("c", "b"), m("d")])
    assert len(cycle) == 1 and cycle[0].field == "after" and "a → c → b → a" in cycle[0].message
    assert find_cycle({"a": ["b"], "b": []}) == []


def test_waves_and_dependants():
    members = [m("web", "api"), m("api", "db"), m("db"), m("cron")]
    assert [[x.name for x in w] for w in waves(members)] == [["db", "cron"], ["api"], ["web"]]
    assert dependants(members, "db") == {"api", "web"}


def test_runner_order_parallelism_skips_and_keep_going():
    members = [m("db"), m("api", "db"), m("web", "api"), m("cron"), m("mail")]
    started, active, peak = [], [0], [0]
    lock = threading.Lock()
    gate = threading.Barrier(2, timeout=5)

    def work(member):
        with lock:
            started.append(member.name)
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        if member.name in ("db", "cron"):
            gate.wait()  # db and cron run at the same time: independent, parallel 2
        with lock:
            active[0] -= 1
        return Result(member.name, "failed" if member.name == "api" else "ok", "x", 1 if member.name == "api" else 0)

    results = run(members, work, parallel=2, keep_going=True)
    by = {r.name: r for r in results}
    assert started.index("api") > started.index("db") and "web" not in started and peak[0] == 2
    assert by["web"].status == "skipped" and "comes after api" in by["web"].what and by["mail"].status == "ok"
    assert exit_code(results) == 1

    def plain(member):
        return Result(member.name, "failed" if member.name == "api" else "ok", "x", 1 if member.name == "api" else 0)

    stopped = run(members, plain, parallel=1, keep_going=False)
    assert [r.status for r in stopped] == ["ok", "failed", "skipped", "skipped", "skipped"]
    assert "an earlier service failed" in stopped[3].what
    unordered = run(members, plain, parallel=4, keep_going=True, ordered=False)  # plan: `after:` does not matter
    assert [r.status for r in unordered] == ["ok", "failed", "ok", "ok", "ok"]
    assert exit_code([Result("a", "ok", "x"), Result("b", "changes", "y")]) == 0


def test_routed_output_labels_lines_and_json_events(monkeypatch):
    fake_out, fake_err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", fake_out)
    monkeypatch.setattr(sys, "stderr", fake_err)
    with routed_output(json_mode=True) as routing:
        def one(name):
            with routing.service(name):
                sys.stdout.write(json.dumps({"event": "note", "message": name}) + "\n")
                sys.stdout.write("partial ")
                sys.stdout.write("line\n")
                sys.stderr.write("to stderr")
        threads = [threading.Thread(target=one, args=(n,)) for n in ("api", "web")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("unlabelled")
    lines = fake_out.getvalue().splitlines()
    notes = [json.loads(line) for line in lines if line.startswith("{")]
    assert sorted((n["service"], n["message"]) for n in notes) == [("api", "api"), ("web", "web")]
    assert sorted(line for line in lines if "partial" in line) == ["api | partial line", "web | partial line"]
    assert "unlabelled" in lines and sorted(fake_err.getvalue().splitlines()) == ["api | to stderr", "web | to stderr"]


def test_first_ctrl_c_starts_nothing_more_and_reports_the_rest_as_not_started(monkeypatch):
    import ecsship.fleet.runner as runner_module

    real_wait, calls = runner_module.wait, [0]

    def interrupted_once(fs, return_when):
        calls[0] += 1
        if calls[0] == 1:
            raise KeyboardInterrupt
        return real_wait(fs, return_when=return_when)

    monkeypatch.setattr(runner_module, "wait", interrupted_once)
    results = run([m("a"), m("b"), m("c")], lambda mem: Result(mem.name, "ok", "done"), parallel=1)
    assert [r.status for r in results] == ["ok", "interrupted", "interrupted"] and exit_code(results) == 130


def test_summary_rows_fit_100_columns(capsys):
    from ecsship.ui.fleet_view import show_summary
    from ecsship.ui.output import Output

    long = Result("a-service-name-that-is-way-too-long-for-a-column", "failed", "failed: " + "x" * 80, 1, "family:123456789", 3725)
    show_summary(Output(color=False), "deploy", [long, Result("b", "ok", "deployed", 0, "shop-b:2", 61)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "ecsship deploy: 2 services" and all(len(line) <= 100 for line in lines)
    assert "1h02m" in lines[3] and "shop-b:2" in lines[4] and "1m01s" in lines[4]
    assert "failed: xxxx" in lines[3] and "x… " in lines[3]  # a cut result says it was cut (the reason is above)


def test_on_a_terminal_each_section_is_printed_whole_once_its_service_is_done(monkeypatch):
    fake_out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", fake_out)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    both_started = threading.Barrier(2, timeout=5)
    with routed_output(json_mode=False, live=True, names=["api", "web"]) as routing:
        def one(name):
            with routing.service(name):
                sys.stdout.write(f"{name} first\n")
                both_started.wait()  # the two services print at the same time
                sys.stdout.write(f"{name} second\n")
            routing.finished(name, "deployed")
        threads = [threading.Thread(target=one, args=(n,)) for n in ("api", "web")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert routing.board.state == {"api": "deployed", "web": "deployed"}
    lines = [line for line in fake_out.getvalue().splitlines() if line.strip()]
    for name in ("api", "web"):
        at = next(i for i, line in enumerate(lines) if line.startswith(f"── {name} "))
        assert lines[at + 1:at + 3] == [f"{name} first", f"{name} second"], lines


def test_a_labelled_line_still_fits_100_columns(monkeypatch):
    """A view's line of up to 100 columns grows by `name | `: it is wrapped at a word, every part labelled."""
    fake_out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", fake_out)
    line = "Monthly cost (min-max tasks): $0.00 → $53.51-$93.69 (estimate, prices of 2026-03-01: `ecsship cost`)"
    with routed_output(json_mode=False) as routing:
        with routing.service("worker"):
            sys.stdout.write(line + "\n")
    lines = fake_out.getvalue().splitlines()
    assert len(lines) == 2 and all(len(out) <= 100 and out.startswith("worker | ") for out in lines), lines
    assert " ".join(out.removeprefix("worker | ").strip() for out in lines) == line
