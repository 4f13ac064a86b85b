"""How a migration writes: every new text to a temporary file beside its target first, then all
into place, so that an error while writing (a full disk) leaves the folder as it was."""

import os


def write_all(writes):
    """Writes {path: text}; returns the paths written."""
    temps = {}
    try:
        for path, text in writes.items():
            temp = f"{path}.tmp.{os.getpid()}"
            temps[path] = temp
            with open(temp, "w", newline="") as handle:
                handle.write(text)
    except OSError:
        for temp in temps.values():
            if os.path.exists(temp):
                os.remove(temp)
        raise
    for path, temp in temps.items():
        os.replace(temp, path)
    return list(writes)
