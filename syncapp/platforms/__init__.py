"""Everything that speaks HTTP to TikTok Shop and Ecwid, and nothing else (no Django models)."""
