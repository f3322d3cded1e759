"""The exceptions voicedrill raises for things a user can fix.

Every message names the file, field or device concerned and says what to do.
The CLI turns these into one line on stderr and a non-zero exit; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations


class VoicedrillError(Exception):
    """Base class: a problem the user can fix. ``str(err)`` is the message shown."""

    exit_code = 1


class ParameterError(VoicedrillError, ValueError):
    """A function or command was given a value outside its documented range."""

    exit_code = 2


class AudioError(VoicedrillError):
    """Audio that cannot be read, written or used (missing, corrupt, empty, NaN, too long)."""


class ScenarioError(VoicedrillError):
    """A scenario or scoring script (YAML) that does not load or validate.

    ``problems`` holds every problem found, each already formatted as
    ``file:line:column: message (hint)``.
    """

    def __init__(self, message: str, problems: list[str] | tuple[str, ...] = ()):
        self.problems = tuple(problems) or (message,)
        super().__init__(message if not problems else "\n".join(self.problems))


class DeviceError(VoicedrillError):
    """A sound device (PortAudio, microphone, speaker) that is missing, busy or fails."""


class AsrError(VoicedrillError):
    """Speech recognition failed: missing or broken Whisper weights, or a decoding failure."""


class ModelError(AsrError):
    """A model file that is missing, damaged or cannot be installed (Whisper weights,
    the sentence encoder, the end-of-turn model, a neural voice)."""


class StoreError(VoicedrillError):
    """A session folder or the session index that cannot be read or written."""


class EncoderError(ModelError):
    """The sentence encoder (paraphrases and summaries by meaning) is missing or broken."""


class VoicedrillNotice(UserWarning):
    """Something the user should know that did not stop the work (audio rescaled, a channel
    chosen). Raised with ``warnings.warn``; the CLI prints it as one ``note:`` line."""
