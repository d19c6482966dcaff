"""strife: conflict news to event data with one small multi-task encoder.

The package is laid out as the data flows: ``strife.training`` reads datasets and
trains, ``strife.models`` holds the multi-task model and its checkpoint format,
``strife.inference`` turns raw articles into records.
"""

__version__ = "0.1.0"
