"""Emergencies: incident kinds and rules, night dispatch, audit log, plan versions, repair.

The dispatch path (``rules``, ``dispatch``, ``audit``, ``versions``) imports only the standard
library and :mod:`optimizer.io`, so ``fangyi dispatch`` answers in well under two seconds;
re-planning afterwards may import the solvers.
"""
