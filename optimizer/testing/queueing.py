"""Expected queues at a sampling channel (Erlang C, the M/M/c queue).

People told to come in a slot of ``T`` minutes arrive at random during it (rate
``λ = people / T``); each of the ``c`` tables samples ``μ = throughput / 60`` people a minute.
While ``ρ = λ / (c μ) < 1`` the expected number waiting is ``Lq = C(c, λ/μ) · ρ / (1 − ρ)``,
``C`` being the Erlang C probability that an arrival has to wait; the expected wait is
``Lq / λ``. Random arrivals make this a cautious estimate: a queue that would vanish if people
came exactly on time is still counted.
"""

from __future__ import annotations

import math


def expected_queue(people: int, slot_minutes: int, tables: int, throughput: int) -> float:
    """Expected people waiting (``Lq``) when ``people`` come in one slot; inf if overloaded."""
    if people <= 0:
        return 0.0
    lam = people / slot_minutes
    mu = throughput / 60.0
    a = lam / mu
    rho = a / tables
    if rho >= 1.0:
        return math.inf
    # Σ_{k<c} a^k/k! built term by term, so no factorial overflows.
    term, head = 1.0, 0.0
    for k in range(tables):
        head += term
        term *= a / (k + 1)
    tail = term / (1.0 - rho)  # a^c / (c! (1 − ρ))
    wait_probability = tail / (head + tail)
    return wait_probability * rho / (1.0 - rho)


def expected_wait_minutes(people: int, slot_minutes: int, tables: int, throughput: int) -> float:
    """Expected minutes a person waits in line (``Lq / λ``); 0 for an empty slot."""
    if people <= 0:
        return 0.0
    return expected_queue(people, slot_minutes, tables, throughput) * slot_minutes / people


def max_people(slot_minutes: int, tables: int, throughput: int, cap: int) -> int:
    """Most people one slot can take while the expected queue stays at most ``cap``."""
    if tables <= 0:
        return 0
    # Lq grows with the load, so the first load over the cap ends the search.
    people = 0
    while expected_queue(people + 1, slot_minutes, tables, throughput) <= cap:
        people += 1
    return people
