"""kalo-assistant: Greek guidance over the ΟΤΑ–ΚΑΛΟ guides (retrieve → answer → cite)."""

__version__ = "0.1.0"
