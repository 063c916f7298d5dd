"""The monitor (Textual). `launch` opens a `session` (stores, writer lock, Hub client or demo Hub) and
runs `app.HfWatchApp`, whose polling half (`polling`) runs both lanes in thread workers (`feeder`) on
one-shot timers (`scheduler`), reporting by `messages`; the screens read the store through `reader`.
The core never imports this package."""
