"""Teaching content: the lessons (ready-made experiments with what to look at), each checked
by a test that its claim holds."""
