"""The independent roster validator against hand-made rosters, one rule at a time.

Each hard-rule test breaks exactly one rule and expects exactly that violation; each soft-rule
test works out the penalty by hand (arithmetic in the comment) and expects exactly it.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from optimizer.io import InputError
from optimizer.roster.domain import DAY, Assignment, Unavailability
from optimizer.validate_roster import read_roster_csv, validate_roster


def hard(report) -> list[str]:
    """Rule names of the violations, in order."""
    return [v.rule for v in report.violations]


def only(report, rule: str) -> str:
    """Assert the report has exactly one violation, of ``rule``; return its text."""
    assert hard(report) == [rule], [v.text for v in report.violations]
    return report.violations[0].text


def check(tiny, rows, **kw):
    """Validate ``rows`` on a tiny instance whose demand is exactly ``rows`` (unless given)."""
    kw.setdefault("demand", tiny.covering(rows))
    kw.setdefault("people", [tiny.person("v1"), tiny.person("v2")])
    return validate_roster(tiny.instance(**kw), rows)


# ------------------------------------------------------------------------------ clean rosters


def test_a_roster_meeting_its_demand_is_ok(tiny):
    rows = [tiny.work("v1", 0), tiny.work("v2", 1)]
    report = check(tiny, rows, days=2)
    assert report.ok and report.violations == () and report.penalties == ()
    assert report.objective == 0


# ------------------------------------------------------------------------------ hard rules


def test_cover_short_of_hard_demand(tiny):
    inst = tiny.instance(
        people=[tiny.person("v1")],
        posts=[tiny.post("P", name="值班室")],
        shifts=[tiny.shift("N", "00:00", 8, name="夜班")],
        demand=[tiny.demand("P", 2, "N", 2)],
        days=3,
    )
    text = only(validate_roster(inst, [tiny.work("v1", 2, "N")]), "cover")
    assert text == "2026-12-02 夜班 值班室: 1 person, needs 2"


def test_cover_over_hard_demand(tiny):
    rows = [tiny.work("v1", 0), tiny.work("v2", 0)]
    only(check(tiny, rows, demand=[tiny.demand("P", 0, "D", 1)]), "cover")


def test_cover_nobody_wanted_without_demand_row(tiny):
    rows = [tiny.work("v1", 0), tiny.work("v2", 1)]
    text = only(check(tiny, rows, days=2, demand=[tiny.demand("P", 0, "D", 1)]), "cover")
    assert "needs nobody" in text and text.startswith("v2")


def test_skills(tiny):
    rows = [tiny.work("v1", 0)]
    text = only(
        check(tiny, rows, posts=[tiny.post("P", skills={"desk"})], people=[tiny.person("v1")]),
        "skills",
    )
    assert "desk" in text


def test_leads(tiny):
    rows = [tiny.work("v1", 0), tiny.work("v2", 0)]
    people = [tiny.person("v1", skills={"desk"}), tiny.person("v2")]
    only(check(tiny, rows, people=people, demand=[tiny.demand("P", 0, "D", 2, leads=1)]), "leads")
    people[1] = tiny.person("v2", skills={"lead"})
    assert check(tiny, rows, people=people, demand=[tiny.demand("P", 0, "D", 2, leads=1)]).ok


def test_availability_partial_overlap_counts_touching_does_not(tiny):
    rows = [tiny.work("v1", 0)]  # day shift 08:00-16:00
    # Unavailable 15:00-17:00: one hour of overlap is enough to break the rule.
    overlap = Unavailability("v1", 15 * 60, 17 * 60)
    text = only(check(tiny, rows, unavailability=[overlap]), "availability")
    assert "2026-11-30 15:00" in text
    # Unavailable from 16:00, the very minute the shift ends: no overlap.
    assert check(tiny, rows, unavailability=[Unavailability("v1", 16 * 60, DAY)]).ok


def test_one_place_night_crossing_midnight_overlaps_next_early_shift(tiny):
    # 20:00-08:00 on day 0 runs until 08:00 on day 1; the 06:00 shift on day 1 overlaps it.
    shifts = [tiny.shift("N", "20:00", 12, night=True), tiny.shift("E", "06:00", 8)]
    rows = [tiny.work("v1", 0, "N"), tiny.work("v1", 1, "E")]
    only(check(tiny, rows, days=2, shifts=shifts), "one_place")


def test_one_place_two_posts_same_shift(tiny):
    rows = [tiny.work("v1", 0, "D", "P"), tiny.work("v1", 0, "D", "Q")]
    text = only(check(tiny, rows, posts=[tiny.post("P"), tiny.post("Q")]), "one_place")
    assert text == "v1: 2026-11-30 D at P overlaps 2026-11-30 D at Q"


def test_one_place_with_history(tiny):
    shifts = [tiny.shift("N", "20:00", 12, night=True), tiny.shift("E", "06:00", 8)]
    rows = [tiny.work("v1", 0, "E")]
    history = [Assignment("v1", -1, "N", "P")]
    only(check(tiny, rows, shifts=shifts, history=history), "one_place")


def test_shifts_per_day(tiny):
    shifts = [tiny.shift("D", "08:00", 8), tiny.shift("L", "16:00", 8)]
    rows = [tiny.work("v1", 0, "D"), tiny.work("v1", 0, "L")]
    text = only(check(tiny, rows, shifts=shifts), "shifts_per_day")
    assert text == "v1: 2 shifts on 2026-11-30, at most 1"
    assert check(tiny, rows, shifts=shifts, rules=tiny.Rules(max_shifts_per_day=2)).ok


def test_rest_between_late_and_next_morning(tiny):
    # 16:00-24:00 then 08:00 next day: 8 h of rest, 12 h needed.
    shifts = [tiny.shift("D", "08:00", 8), tiny.shift("L", "16:00", 8)]
    rows = [tiny.work("v1", 0, "L"), tiny.work("v1", 1, "D")]
    rules = tiny.Rules(min_rest_minutes=12 * 60)
    text = only(check(tiny, rows, days=2, shifts=shifts, rules=rules), "rest")
    assert text == "v1: 8 h rest between 2026-11-30 L and 2026-12-01 D, needs 12 h"
    # Day shift then next day's day shift: 16 h of rest.
    rows = [tiny.work("v1", 0, "D"), tiny.work("v1", 1, "D")]
    assert check(tiny, rows, days=2, shifts=shifts, rules=rules).ok


def test_rest_sees_history(tiny):
    shifts = [tiny.shift("D", "08:00", 8), tiny.shift("L", "16:00", 8)]
    history = [Assignment("v1", -1, "L", "P")]
    rules = tiny.Rules(min_rest_minutes=12 * 60)
    only(
        check(tiny, [tiny.work("v1", 0, "D")], shifts=shifts, rules=rules, history=history), "rest"
    )
    # A short rest entirely inside history is not this roster's fault.
    history.append(Assignment("v1", -2, "L", "P"))
    history.append(Assignment("v1", -1, "D", "P"))
    del history[0]
    assert check(tiny, [tiny.work("v2", 0, "D")], shifts=shifts, rules=rules, history=history).ok


def test_forbidden_succession(tiny):
    shifts = [tiny.shift("N", "00:00", 8, night=True, forbidden_next={"D"}), tiny.shift("D")]
    rows = [tiny.work("v1", 0, "N"), tiny.work("v1", 1, "D")]
    only(check(tiny, rows, days=2, shifts=shifts), "forbidden_succession")
    # The other order is allowed.
    rows = [tiny.work("v1", 0, "D"), tiny.work("v1", 1, "N")]
    assert check(tiny, rows, days=2, shifts=shifts).ok


def test_forbidden_succession_sees_history(tiny):
    shifts = [tiny.shift("N", "00:00", 8, night=True, forbidden_next={"D"}), tiny.shift("D")]
    history = [Assignment("v1", -1, "N", "P")]
    only(
        check(tiny, [tiny.work("v1", 0, "D")], shifts=shifts, history=history),
        "forbidden_succession",
    )


def test_hours_max(tiny):
    rows = [tiny.work("v1", 0), tiny.work("v1", 1)]  # 2 x 8 h = 16 h
    text = only(check(tiny, rows, days=2, people=[tiny.person("v1", max_minutes=15 * 60)]), "hours")
    assert text == "v1: works 16 h, at most 15 h"


def test_hours_min(tiny):
    rows = [tiny.work("v1", 0)]
    only(check(tiny, rows, days=2, people=[tiny.person("v1", min_minutes=16 * 60)]), "hours")


def test_nights(tiny):
    shifts = [tiny.shift("N", "00:00", 8, night=True)]
    rows = [tiny.work("v1", d, "N") for d in range(3)]
    person = tiny.person("v1", name="张伟", max_nights=2)
    text = only(check(tiny, rows, days=3, shifts=shifts, people=[person]), "nights")
    assert text == "张伟: 3 night shifts, at most 2"


def test_shift_cap(tiny):
    rows = [tiny.work("v1", 0), tiny.work("v1", 1)]
    only(check(tiny, rows, days=2, people=[tiny.person("v1", caps={"D": 1})]), "shift_cap")
    assert check(tiny, rows, days=2, people=[tiny.person("v1", caps={"D": 2})]).ok


def test_max_consecutive_days(tiny):
    rows = [tiny.work("v1", d) for d in range(3)]
    person = tiny.person("v1", max_consecutive_days=2)
    only(check(tiny, rows, days=3, people=[person]), "max_consecutive_days")
    # Two days at the end of the horizon: days after it are off, so the run is 2.
    assert check(tiny, rows[1:], days=3, people=[person]).ok


def test_max_consecutive_days_counts_history(tiny):
    # History works days -2 and -1, the roster days 0 and 1: a run of 4 > 3.
    history = [Assignment("v1", -2, "D", "P"), Assignment("v1", -1, "D", "P")]
    rows = [tiny.work("v1", 0), tiny.work("v1", 1)]
    person = tiny.person("v1", max_consecutive_days=3)
    text = only(check(tiny, rows, days=3, people=[person], history=history), "max_consecutive_days")
    assert "4 days in a row (2026-11-28 to 2026-12-01)" in text
    # A gap on day -1 breaks the run.
    history = [Assignment("v1", -2, "D", "P")]
    assert check(tiny, rows, days=3, people=[person], history=history).ok


def test_min_consecutive_days_inside_the_horizon(tiny):
    person = tiny.person("v1", min_consecutive_days=2)
    only(check(tiny, [tiny.work("v1", 2)], days=5, people=[person]), "min_consecutive_days")


@pytest.mark.parametrize("day", [0, 4])
def test_min_consecutive_days_run_touching_the_edge_is_exempt(tiny, day):
    person = tiny.person("v1", min_consecutive_days=2)
    assert check(tiny, [tiny.work("v1", day)], days=5, people=[person]).ok


def test_min_consecutive_days_off(tiny):
    person = tiny.person("v1", min_consecutive_days_off=2)
    rows = [tiny.work("v1", 0), tiny.work("v1", 2)]
    only(check(tiny, rows, days=3, people=[person]), "min_consecutive_days_off")
    # Off on day 0 (touches the start) or on the last day: exempt.
    assert check(tiny, [tiny.work("v1", 1)], days=3, people=[person]).ok


def test_weekends(tiny):
    # Monday start: days 5-6 and 12-13 are two weekends.
    person = tiny.person("v1", max_weekends=1)
    rows = [tiny.work("v1", 5), tiny.work("v1", 12)]
    text = only(check(tiny, rows, days=14, people=[person]), "weekends")
    assert text == "v1: works 2 weekends, at most 1"
    # Saturday and Sunday of the same weekend: one weekend.
    assert check(tiny, [tiny.work("v1", 5), tiny.work("v1", 6)], days=7, people=[person]).ok


def test_weekend_halves_at_horizon_edges_count_on_their_own(tiny):
    # Start on Sunday 2026-11-29 for 7 days: day 0 is a Sunday whose Saturday lies before the
    # horizon, day 6 a Saturday whose Sunday lies after it: two weekends.
    person = tiny.person("v1", max_weekends=1)
    rows = [tiny.work("v1", 0), tiny.work("v1", 6)]
    sunday = dt.date(2026, 11, 29)
    only(check(tiny, rows, days=7, start=sunday, people=[person]), "weekends")


def test_unknown_ids_duplicates_and_dates_outside_the_horizon(tiny):
    inst = tiny.instance(people=[tiny.person("v1")], days=1)
    rows = [
        tiny.work("v1", 0),
        tiny.work("v1", 0),  # repeated row
        tiny.work("v9", 0),  # unknown volunteer
        tiny.work("v1", 0, "X"),  # unknown shift
        tiny.work("v1", 0, "D", "Q"),  # unknown post
        tiny.work("v1", 1),  # after the horizon
    ]
    report = validate_roster(inst, rows)
    assert sorted(hard(report)) == [
        "duplicate",
        "horizon",
        "unknown_id",
        "unknown_id",
        "unknown_id",
    ]


# ------------------------------------------------------------------------------ soft rules


def test_cover_under_and_over_prices(tiny):
    inst = tiny.instance(
        people=[tiny.person(v) for v in ("v1", "v2", "v3", "v4")],
        posts=[tiny.post("P"), tiny.post("Q")],
        demand=[tiny.demand("P", 0, "D", 3, under=1000), tiny.demand("Q", 0, "D", 1, over=7)],
    )
    rows = [tiny.work("v1", 0, "D", "P"), *(tiny.work(v, 0, "D", "Q") for v in ("v2", "v3", "v4"))]
    report = validate_roster(inst, rows)
    assert report.ok
    # P: 1000 x (3 - 1) = 2000; Q: 7 x (3 - 1) = 14.
    assert {p.rule: p.amount for p in report.penalties} == {"cover_under": 2000, "cover_over": 14}
    assert report.objective == 2014


def test_preference(tiny):
    shifts = [tiny.shift("D"), tiny.shift("L", "16:00", 8)]
    wishes = [
        tiny.wish("v1", 0, "L", True, 3),  # wants L, works D: 10 x 3 = 30
        tiny.wish("v1", 0, "D", False, 2),  # wants D off, works it: 10 x 2 = 20
        tiny.wish("v2", 0, "L", True, 5),  # granted: 0
    ]
    rows = [tiny.work("v1", 0, "D"), tiny.work("v2", 0, "L")]
    weights = tiny.Weights(preference=10)
    report = check(tiny, rows, shifts=shifts, preferences=wishes, weights=weights)
    assert report.ok
    assert [p.amount for p in report.penalties] == [30, 20]
    assert report.objective == 50


def test_fair_minutes_with_fractional_share(tiny):
    # One day, D (P, no skill) and E (Q needs skill x), 8 h each, 1 person each.
    # v1, v2, v3 have x: a = 2 each; v4 lacks x: a = 1 (only D). A = 7, T = 2 x 480 = 960.
    # f(v1..v3) = 960*2/7 = 274.28 -> band [274 - 60, 275 + 60] = [214, 335];
    # f(v4) = 960/7 = 137.14 -> band [137 - 60, 138 + 60] = [77, 198].
    # v1 works 480: 480 - 335 = 145; v2 works 480: 145; v3 works 0: 214; v4 works 0: 77.
    # Total 581 minutes outside, x weight 2 = 1162.
    shifts = [tiny.shift("D"), tiny.shift("E", "16:00", 8)]
    posts = [tiny.post("P"), tiny.post("Q", skills={"x"})]
    people = [tiny.person(v, skills={"x"}) for v in ("v1", "v2", "v3")] + [tiny.person("v4")]
    rows = [tiny.work("v1", 0, "D", "P"), tiny.work("v2", 0, "E", "Q")]
    weights = tiny.Weights(fair_minutes=2, fair_minutes_tolerance=60)
    report = check(tiny, rows, shifts=shifts, posts=posts, people=people, weights=weights)
    assert report.ok
    assert [(p.volunteer, p.amount) for p in report.penalties] == [
        ("v1", 290),
        ("v2", 290),
        ("v3", 428),
        ("v4", 154),
    ]
    assert report.objective == 1162
    assert report.penalties[0].text == "v1: 480 minutes worked, fair band 214-335, penalty 290"


def test_fair_minutes_share_ignores_unavailable_shifts(tiny):
    # Two days of D, 1 person a day. v2 is unavailable on day 1: a = (2, 1), A = 3, T = 960.
    # f(v1) = 640 -> [640, 640]; f(v2) = 320 -> [320, 320] (tolerance 0).
    # v1 works 1 day = 480: 160 short; v2 works 480: 160 over. Total 320 x 1.
    rows = [tiny.work("v1", 0), tiny.work("v2", 1)]
    report = check(
        tiny,
        rows,
        days=2,
        unavailability=[tiny.off("v2", 0)],
        weights=tiny.Weights(fair_minutes=1),
    )
    assert report.ok
    assert report.objective == 320


def test_fair_nights(tiny):
    # Night shift N on 3 days, 1 person each; D has no demand. a = (3, 3), A = 6, T = 3.
    # f = 1.5 -> band [1, 2]. 张伟 works 3 nights: 1 over; v2 works none: 1 short.
    # (1 + 1) x 30 = 60.
    shifts = [tiny.shift("N", "00:00", 8, night=True), tiny.shift("D")]
    rows = [tiny.work("v1", d, "N") for d in range(3)]
    people = [tiny.person("v1", name="张伟"), tiny.person("v2")]
    weights = tiny.Weights(fair_nights=30)
    report = check(tiny, rows, days=3, shifts=shifts, people=people, weights=weights)
    assert report.ok and report.objective == 60
    assert report.penalties[0].text == "张伟: 3 night shifts, fair band 1-2, penalty 30"


def test_fair_weekends(tiny):
    # Monday start, 7 days of D with 1 person a day: weekend pairs are days 5 and 6, T = 2,
    # a = (2, 2), A = 4, f = 1 -> band [1, 1]. v1 works every day (2 weekend shifts): 1 over;
    # v2 none: 1 short. (1 + 1) x 20 = 40.
    rows = [tiny.work("v1", d) for d in range(7)]
    report = check(tiny, rows, days=7, weights=tiny.Weights(fair_weekends=20))
    assert report.ok and report.objective == 40
    assert {p.rule for p in report.penalties} == {"fair_weekends"}


def test_isolated_day_off(tiny):
    # Works days 0 and 2, off on day 1: one isolated day off, 15.
    rows = [tiny.work("v1", 0), tiny.work("v1", 2)]
    report = check(tiny, rows, days=3, weights=tiny.Weights(isolated_day_off=15))
    assert report.ok and report.objective == 15
    assert report.penalties[0].day == 1


def test_isolated_day_off_on_day_zero_needs_history(tiny):
    # Off on day 0, works day 1; worked day -1 in history: isolated (15). Without history: 0.
    rows = [tiny.work("v1", 1)]
    weights = tiny.Weights(isolated_day_off=15)
    history = [Assignment("v1", -1, "D", "P")]
    assert check(tiny, rows, days=3, weights=weights, history=history).objective == 15
    assert check(tiny, rows, days=3, weights=weights).objective == 0


def test_isolated_day_off_not_on_the_last_day(tiny):
    # Off on the last day (d = days - 1) is never isolated: days after the horizon are unknown.
    rows = [tiny.work("v1", 1)]
    assert check(tiny, rows, days=3, weights=tiny.Weights(isolated_day_off=15)).objective == 0


def test_team_together_and_mix(tiny):
    # together post P: teams A, B, C -> 5 x (3 - 1) = 10.
    # mix post Q: teams A, A, B -> 5 x (2 - 1) = 5.
    posts = [tiny.post("P", team_policy="together"), tiny.post("Q", team_policy="mix")]
    people = [
        tiny.person("v1", team="A"),
        tiny.person("v2", team="B"),
        tiny.person("v3", team="C"),
        tiny.person("v4", team="A"),
        tiny.person("v5", team="A"),
        tiny.person("v6", team="B"),
    ]
    rows = [tiny.work(v, 0, "D", "P") for v in ("v1", "v2", "v3")]
    rows += [tiny.work(v, 0, "D", "Q") for v in ("v4", "v5", "v6")]
    report = check(tiny, rows, posts=posts, people=people, weights=tiny.Weights(team=5))
    assert report.ok
    assert [p.amount for p in report.penalties] == [10, 5]
    assert report.objective == 15


# ------------------------------------------------------------------------------ reading files

HEADER = "date,shift,start,end,post,volunteer_id,name,team"


@pytest.fixture
def two_day(tiny):
    people = [tiny.person("v1", name="张伟"), tiny.person("v2", name="王芳")]
    return tiny.instance(people=people, days=2)


def test_read_roster_csv_with_bom_extra_columns_and_blank_lines(tmp_path, two_day):
    text = (
        f"\ufeff{HEADER},note\n2026-11-30,D,08:00,16:00,P,v1,张伟,A,x\n\n"
        "2026-12-01,D,08:00,16:00,P,v2,王芳,A,\n"
    )
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    rows = read_roster_csv(two_day, path)
    assert rows == [Assignment("v1", 0, "D", "P"), Assignment("v2", 1, "D", "P")]
    assert validate_roster(two_day, rows).ok


def test_read_roster_csv_gb18030_with_excel_slash_dates(tmp_path, two_day):
    # Excel on Chinese Windows saves CSV as GB18030 and rewrites 2026-12-01 as 2026/12/1.
    path = tmp_path / "roster.csv"
    path.write_bytes(f"{HEADER}\n2026/12/1,D,8:00,16:00,P,v1,张伟,A\n".encode("gb18030"))
    assert read_roster_csv(two_day, path) == [Assignment("v1", 1, "D", "P")]


def test_read_roster_xlsx_with_date_cells(tmp_path, two_day):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append([dt.datetime(2026, 12, 1), "D", "08:00", "16:00", "P", "v2", "王芳", "A"])
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    assert read_roster_csv(two_day, path) == [Assignment("v2", 1, "D", "P")]


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("2026-13-01,D,,,P,v1,,", "date"),
        ("30.11.2026,D,,,P,v1,,", "date"),
        ("2026-11-30,X,,,P,v1,,", "shift"),
        ("2026-11-30,D,,,Q,v1,,", "post"),
        ("2026-11-30,D,,,P,v9,,", "volunteer_id"),
    ],
)
def test_read_roster_csv_bad_row_names_file_row_column(tmp_path, two_day, line, column):
    path = tmp_path / "roster.csv"
    path.write_text(f"{HEADER}\n2026-11-30,D,,,P,v1,,\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_roster_csv(two_day, path)
    assert (err.value.row, err.value.column) == (3, column)
    assert "roster.csv" in str(err.value)


def test_read_roster_csv_date_outside_horizon_is_left_to_the_validator(tmp_path, two_day):
    path = tmp_path / "roster.csv"
    path.write_text(f"{HEADER}\n2026-12-05,D,,,P,v1,,\n", encoding="utf-8")
    rows = read_roster_csv(two_day, path)
    assert rows == [Assignment("v1", 5, "D", "P")]
    assert "horizon" in hard(validate_roster(two_day, rows))
