"""The duty-roster part of the Dongying instance: volunteers, posts, demand and their week.

Every figure is either from the 2022 report summarised in ``/work/shared/domain.md`` or an
assumption stated here and in ``instances/dongying/README.md``. ``scale`` multiplies the teams'
sizes and every post's workload; ``seed`` drives the synthetic names and the random draws.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from optimizer.generators import InstancePart

START = dt.date(2026, 11, 30)  # a Monday
DAYS = 7

# (id, name, start, end, night): three 8-hour shifts cover the clock.
SHIFTS = (
    ("N", "夜班", "00:00", "08:00", True),
    ("D", "白班", "08:00", "16:00", False),
    ("E", "晚班", "16:00", "24:00", False),
)
SHIFT_HOURS = 8

# The 10 party branches (units named in the report) with uneven sizes summing to 146, and
# the chance that a member holds each skill (by the unit's kind of work; assumption).
_OFFICE = {"duty_desk": 0.7, "phone": 0.6, "data_entry": 0.5, "gate": 0.8, "delivery": 0.2}
_SCHOOL = {"duty_desk": 0.2, "phone": 0.5, "data_entry": 0.3, "gate": 0.8, "delivery": 0.3}
TEAMS: tuple[tuple[str, int, dict[str, float]], ...] = (
    ("党委办公室", 12, {**_OFFICE, "driving": 0.1}),
    ("管委办公室", 14, {**_OFFICE, "duty_desk": 0.6, "delivery": 0.3, "driving": 0.15}),
    (
        "后勤保障处",
        22,
        {"duty_desk": 0.2, "phone": 0.2, "data_entry": 0.1, "gate": 0.9, "delivery": 0.7}
        | {"driving": 0.4},
    ),
    ("离退休职工管理处", 9, {"duty_desk": 0.4, "phone": 0.7, "data_entry": 0.3, "gate": 0.5}),
    (
        "东营科学技术研究院",
        20,
        {"duty_desk": 0.3, "phone": 0.5, "data_entry": 0.5, "gate": 0.8, "delivery": 0.3}
        | {"driving": 0.15},
    ),
    ("教育发展中心", 13, {**_SCHOOL, "duty_desk": 0.3, "phone": 0.6, "driving": 0.1}),
    ("附属中学第一党支部", 16, {**_SCHOOL, "driving": 0.1}),
    ("附属中学第二党支部", 14, {**_SCHOOL, "driving": 0.1}),
    ("附属中学第三党支部", 11, {**_SCHOOL, "driving": 0.1}),
    (
        "生活服务中心",
        15,
        {"duty_desk": 0.2, "phone": 0.3, "data_entry": 0.2, "gate": 0.8, "delivery": 0.8}
        | {"driving": 0.3},
    ),
)
RETIREE_TEAM = "离退休职工管理处"  # older staff: no night shifts, at most 24 h a week
SCHOOL_TEAMS = ("附属中学第一党支部", "附属中学第二党支部", "附属中学第三党支部")
TEACHER_SHARE = 0.75  # of the middle-school branches' members teach on weekdays
EVENING_CLASS_SHARE = 0.3  # of the education centre's members teach Tue/Thu evenings

# Workload figures from the report, and throughput assumptions (per person-hour).
PUSHED_RECORDS_PER_DAY = 1500  # pushed by provincial police, each verified by phone
VERIFICATIONS_PER_PERSON_HOUR = 20  # 3 minutes a call, logging included
FOLLOW_UPS_PER_DAY = 57  # end up under control measures and are followed up
FOLLOW_UPS_PER_PERSON_HOUR = 4  # 15 minutes each: calls, arranging measures, log
SYSTEM_ENTRIES_PER_DAY = 498  # person-times entered into the city's system
ENTRIES_PER_PERSON_HOUR = 30  # 2 minutes an entry
QUARANTINED = 87  # people under quarantine or health monitoring this term
DELIVERIES_PER_PERSON_HOUR = 20  # rooms served per hour (contactless, stairs)
MEAL_ROUND_HOURS = 1.5  # a meal round must be finished within this time
# Share of each day's records arriving in each shift: most by day, fewest at night.
ARRIVAL_SHARE = {"N": 0.15, "D": 0.50, "E": 0.35}
# Meal rounds per shift (breakfast 08:00 and lunch 11:30 by day, dinner 17:00 in the evening).
MEAL_ROUNDS = {"N": 0, "D": 2, "E": 1}


@dataclass(frozen=True)
class PostSpec:
    """A post and its staff per shift at scale 1 (fixed posts) or from its workload."""

    id: str
    name: str
    skills: tuple[str, ...]
    team_policy: str
    staff: dict[str, int]  # shift id -> people at scale 1 (fixed posts)
    leads: int = 0  # leads per shift at scale 1, where the post has staff


POSTS = (
    PostSpec("duty_desk", "值班室", ("duty_desk",), "mix", {"N": 2, "D": 2, "E": 2}, leads=1),
    PostSpec("info_desk", "信息报送与电话核查", ("phone",), "", {}),
    PostSpec("data_entry", "防疫系统录入", ("data_entry",), "", {}),
    PostSpec("gate_east", "东门值守", ("gate",), "together", {"N": 2, "D": 2, "E": 2}),
    PostSpec("gate_north", "北门值守", ("gate",), "together", {"D": 2, "E": 1}),
    PostSpec("gate_west", "西门物资通道", ("gate",), "together", {"D": 1, "E": 1}),
    PostSpec("delivery", "隔离人员物资配送", ("delivery",), "together", {}),
    PostSpec("transport", "物资运输", ("driving",), "", {"D": 1, "E": 1}),
)

TOML = """\
name = "{name}"
start = "{start}"
days = {days}

# Three 8-hour shifts cover the clock; a shift belongs to the day it starts.
{shifts}
[rules]
min_rest_hours = 12          # nobody works 16:00-24:00 and then 08:00-16:00 the next day
max_shifts_per_day = 1

[limits]                     # volunteers have day jobs: at most four shifts a week
max_hours = 32
max_nights = 2
max_consecutive_days = 5

[weights]
fair_minutes = 1
fair_minutes_tolerance = 240
fair_nights = 30
fair_weekends = 20
preference = 10
isolated_day_off = 15
team = 5
"""

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲建国红梅海燕晓东志文"
    "斌宇浩凯鑫丹晨雪琳颖慧欣悦宁博远航思佳倩婷雯嘉瑞峰波亮成春俊新昊然睿泽宏涵"
)


@dataclass
class Person:
    id: str
    name: str
    team: str
    skills: set[str]
    lead: bool


def roster_part(scale: int, seed: int) -> InstancePart:
    """The roster's share of the Dongying instance at ``scale`` with random ``seed``."""
    people = _people(scale, seed)
    quarantined, unavailability = _unavailability(people, scale, seed)
    free = [p for p in people if p.id not in quarantined]
    return InstancePart(
        toml=_toml(scale),
        tables={
            "volunteers.csv": (
                ["id", "name", "team", "skills", "max_hours"],
                [[p.id, p.name, p.team, "|".join(sorted(p.skills)), _max_hours(p)] for p in people],
            ),
            "posts.csv": (
                ["id", "name", "skills", "team_policy"],
                [[s.id, s.name, "|".join(s.skills), s.team_policy] for s in POSTS],
            ),
            "demand.csv": (["post_id", "date", "shift_id", "required", "leads"], _demand(scale)),
            "unavailability.csv": (["volunteer_id", "start", "end", "reason"], unavailability),
            "preferences.csv": (
                ["volunteer_id", "date", "shift_id", "want", "weight"],
                _preferences(free, scale, seed),
            ),
            "shift_limits.csv": (
                ["volunteer_id", "shift_id", "max"],
                [[p.id, "N", 0] for p in people if p.team == RETIREE_TEAM],
            ),
            "history.csv": (
                ["volunteer_id", "date", "shift_id", "post_id"],
                _history(free, scale, seed),
            ),
        },
    )


def _toml(scale: int) -> str:
    shifts = "\n".join(
        f'[[shifts]]\nid = "{sid}"\nname = "{name}"\nstart = "{start}"\nend = "{end}"\n'
        + ("night = true\n" if night else "")
        for sid, name, start, end, night in SHIFTS
    )
    name = "东营科教园区" + (f"（规模 ×{scale}）" if scale > 1 else "")
    return TOML.format(name=name, start=START.isoformat(), days=DAYS, shifts=shifts)


def _max_hours(p: Person) -> int | None:
    """Per-person override of ``[limits] max_hours`` (blank = the default)."""
    return 24 if p.team == RETIREE_TEAM else None


def _people(scale: int, seed: int) -> list[Person]:
    """Members of every branch with unique synthetic names; the first 2-3 of a branch lead."""
    names = random.Random(f"dongying-names-{seed}")
    draws = random.Random(f"dongying-skills-{seed}")
    total = scale * sum(size for _, size, _ in TEAMS)
    width = max(3, len(str(total)))
    used: set[str] = set()
    people: list[Person] = []
    for team, size, chance in TEAMS:
        leads = scale * (2 if size < 15 else 3)  # branch secretary and committee members
        for k in range(scale * size):
            skills = {s for s, p in chance.items() if draws.random() < p}
            if k < leads:
                skills |= {"lead", "duty_desk", "phone"}
            if not skills:
                skills = {"gate"}
            name = _name(names, used)
            people.append(
                Person(f"V{len(people) + 1:0{width}d}", name, team, skills, lead=k < leads)
            )
    return people


def _name(rng: random.Random, used: set[str]) -> str:
    """A synthetic Chinese name (surname + one or two given characters) not used before."""
    while True:
        given = "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.3 else 2))
        name = rng.choice(SURNAMES) + given
        if name not in used:
            used.add(name)
            return name


def _staff(post: PostSpec, shift: str, scale: int) -> int:
    """People ``post`` needs in ``shift``: fixed posts × scale, others from their workload."""
    if post.staff:
        return scale * post.staff.get(shift, 0)
    share = ARRIVAL_SHARE[shift]
    if post.id == "info_desk":
        hours = (
            share * PUSHED_RECORDS_PER_DAY / VERIFICATIONS_PER_PERSON_HOUR
            + share * FOLLOW_UPS_PER_DAY / FOLLOW_UPS_PER_PERSON_HOUR
        )
    elif post.id == "data_entry":
        hours = share * SYSTEM_ENTRIES_PER_DAY / ENTRIES_PER_PERSON_HOUR
    else:  # delivery: enough people to finish a meal round in time
        rounds = MEAL_ROUNDS[shift]
        per_round = QUARANTINED / (DELIVERIES_PER_PERSON_HOUR * MEAL_ROUND_HOURS)
        return math.ceil(scale * per_round) if rounds else 0
    return math.ceil(scale * hours / SHIFT_HOURS)


def _demand(scale: int) -> list[list[object]]:
    """One row per post, day and shift with staff, the same every day (24/7, holidays too)."""
    rows: list[list[object]] = []
    for post in POSTS:
        for day in range(DAYS):
            for sid, *_ in SHIFTS:
                n = _staff(post, sid, scale)
                if n:
                    rows.append([post.id, _date(day), sid, n, scale * post.leads])
    return rows


def _date(day: int) -> str:
    return (START + dt.timedelta(days=day)).isoformat()


def _stamp(day: int, clock: str) -> str:
    return f"{_date(day)} {clock}"


def _unavailability(
    people: list[Person], scale: int, seed: int
) -> tuple[set[str], list[list[object]]]:
    """Teaching, evening classes, trips, leave, and 2 volunteers (× scale) quarantined all week."""
    rng = random.Random(f"dongying-unavailability-{seed}")
    rows: list[list[object]] = []
    for p in people:
        if p.team in SCHOOL_TEAMS and rng.random() < TEACHER_SHARE:
            rows += [[p.id, _stamp(d, "07:30"), _stamp(d, "17:30"), "附中上课"] for d in range(5)]
        elif p.team == "教育发展中心" and rng.random() < EVENING_CLASS_SHARE:
            rows += [[p.id, _stamp(d, "18:30"), _stamp(d, "21:30"), "夜间授课"] for d in (1, 3)]
    # Quarantine is drawn among non-leads so the branches keep their secretaries on duty.
    pool = [p for p in people if not p.lead]
    quarantined = rng.sample(pool, 2 * scale)
    for p in quarantined:
        rows.append([p.id, _stamp(-2, "00:00"), _stamp(DAYS + 5, "00:00"), "集中隔离"])
    busy = {p.id for p in quarantined}
    researchers = [p for p in pool if p.team == "东营科学技术研究院" and p.id not in busy]
    for p in rng.sample(researchers, 2 * scale):
        rows.append([p.id, _stamp(2, "00:00"), _stamp(5, "00:00"), "出差"])
        busy.add(p.id)
    others = [p for p in pool if p.id not in busy]
    for p in rng.sample(others, 4 * scale):
        first = rng.randrange(DAYS)
        length = rng.choice((1, 1, 2))
        reason = rng.choice(("事假", "病假"))
        rows.append([p.id, _stamp(first, "00:00"), _stamp(first + length, "00:00"), reason])
    rows.sort(key=lambda r: (r[0], r[1]))
    return {p.id for p in quarantined}, rows


def _preferences(people: list[Person], scale: int, seed: int) -> list[list[object]]:
    """A few wishes: weekend days off for families, and night owls asking for nights."""
    rng = random.Random(f"dongying-preferences-{seed}")
    rows: list[list[object]] = []
    for p in rng.sample(people, 6 * scale):
        day = rng.choice((5, 6))
        rows += [[p.id, _date(day), sid, "no", 2] for sid, *_ in SHIFTS]
    night_capable = [p for p in people if p.team != RETIREE_TEAM]
    for p in rng.sample(night_capable, 3 * scale):
        rows.append([p.id, _date(rng.randrange(DAYS)), "N", "yes", 1])
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return rows


def _history(people: list[Person], scale: int, seed: int) -> list[list[object]]:
    """Last Sunday's night and evening shifts, so rest and runs see across the boundary."""
    rng = random.Random(f"dongying-history-{seed}")
    free = list(people)
    rng.shuffle(free)
    rows: list[list[object]] = []
    for post in POSTS:
        for sid in ("N", "E"):
            need = _staff(post, sid, scale)
            leads = scale * post.leads if need else 0
            for k in range(need):
                pick = next(
                    p
                    for p in free
                    if set(post.skills) <= p.skills
                    and (k >= leads or p.lead)
                    and (sid != "N" or p.team != RETIREE_TEAM)
                )
                free.remove(pick)
                rows.append([pick.id, _date(-1), sid, post.id])
    rows.sort(key=lambda r: (r[0], r[2]))
    return rows
