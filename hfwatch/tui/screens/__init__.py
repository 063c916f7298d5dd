"""One screen per module; `base.MonitorScreen` is what they share."""
