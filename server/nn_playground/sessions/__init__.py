"""Live sessions: one websocket's state machine (session), what it trains (experiment: its
settings, data and models; training_setup: wire settings to engine configuration), the
worker threads frames are computed on (training_pool, thread_placement), and the binary
frame format (frame_wire)."""
