"""Images and videos the tests sign themselves (see seeding.c2pa_signing), unsigned and
tampered ones. The videos are encoded here with PyAV (a dev dependency bundling FFmpeg)."""

import io

import av
import numpy as np

from seeding.c2pa_signing import IPTC, authority, image, sign, signed, tampered

__all__ = [
    "IPTC",
    "authority",
    "image",
    "sign",
    "signed",
    "signed_video",
    "tampered",
    "tampered_video",
    "video",
]

MIME = {"mp4": "video/mp4", "mov": "video/quicktime"}


def video(container: str = "mp4", frames: int = 10) -> bytes:
    """A real movie without credentials: ``frames`` frames of 64×64 H.264 (MPEG-4 Part 2
    where the bundled FFmpeg has no H.264 encoder) in an MP4 or QuickTime container."""
    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    out = io.BytesIO()
    with av.open(out, "w", format=container) as movie:
        stream = movie.add_stream(codec, rate=10)
        stream.width = stream.height = 64
        stream.pix_fmt = "yuv420p"
        for index in range(frames):
            pixels = np.full((64, 64, 3), (index * 25, 80, 200 - index * 10), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            movie.mux(stream.encode(frame))
        movie.mux(stream.encode(None))
    return out.getvalue()


def signed_video(
    container: str = "mp4", *, source: str = "trainedAlgorithmicMedia", tool: str = "TestGen"
) -> bytes:
    return sign(video(container), MIME[container], source=source, tool=tool)


def tampered_video(data: bytes) -> bytes:
    """The signed video with one byte of its encoded frames (inside the `mdat` box, which the
    manifest's hash covers) changed after signing."""
    changed = bytearray(data)
    at = changed.index(b"mdat") + 4 + 16
    changed[at] ^= 0xFF
    return bytes(changed)
