"""voicedrill: an offline, voice-based drill trainer for crisis and hostage negotiators."""

__version__ = "0.1.0"
