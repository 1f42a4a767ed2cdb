"""fangyi (防疫): duty rosters, testing rounds, disinfection routes and emergency dispatch."""

__version__ = "0.1.0"
