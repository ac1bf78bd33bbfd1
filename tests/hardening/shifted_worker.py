"""`celery worker` whose clock runs a given number of seconds ahead (CLOCK_SHIFT_SECONDS):
the worker that starts after a crash, minutes later, without the test waiting those minutes.
time_machine patches the process's clock before Celery starts; forked pool children keep it."""

import os
import sys
import time

import time_machine

if __name__ == "__main__":
    shift = float(os.environ.get("CLOCK_SHIFT_SECONDS", "0"))
    time_machine.travel(time.time() + shift, tick=True).start()
    from celery.__main__ import main

    sys.argv = ["celery", *sys.argv[1:]]
    sys.exit(main())
