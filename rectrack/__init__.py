"""rectrack: watch government sites for inspection-rectification notices and track what stalls."""

__version__ = "0.1.0"
