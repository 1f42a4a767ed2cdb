"""Weekly duty rosters: domain, instance loader, CP-SAT model and exports."""
