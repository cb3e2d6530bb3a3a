#!/usr/bin/env python3
"""The `eventsourcing` library's side of `ops/bench pares` (PyPI eventsourcing 9.5.6, PostgreSQL recorder).

Each mode prints lines "RESULT <name> <value>" that ops/bench reads, like sintra-bench.

  bench-pares.py write --writers N --seconds S [--size K]
      N writer processes, each saving new aggregates for S seconds. K = 1: one new aggregate with
      its one event per `save` call (one transaction). K > 1: one new aggregate with K events
      (its creation and K - 1 further events) in one `save` call.
  bench-pares.py load --events N
      fills the log with N events (aggregates of 100 events, 10 aggregates per `save`).
  bench-pares.py read [--page P]
      reads the whole notification log in order, P notifications per `select_notifications` call.
  bench-pares.py huecos
      shows a hole in the notification ids: two writers append to the same aggregate at the same
      version, the loser's transaction is rolled back after drawing its id from the sequence.

The database comes from the library's own environment variables (POSTGRES_DBNAME, POSTGRES_HOST,
POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD); ops/bench sets them. The application is named
"Pares", so the library's table is `pares_events`.
"""
import argparse
import multiprocessing
import os
import sys
import time

os.environ.setdefault("PERSISTENCE_MODULE", "eventsourcing.postgres")

from eventsourcing.application import Application  # noqa: E402
from eventsourcing.domain import Aggregate, event  # noqa: E402


class Atencion(Aggregate):
    """The same payload as SINTRA's bench event (an AtencionOtorgada) and the raw row."""

    @event("Otorgada")
    def __init__(self, tipo, clasificacion, institucion, duracion_minutos, descripcion):
        self.tipo = tipo
        self.clasificacion = clasificacion
        self.institucion = institucion
        self.duracion_minutos = duracion_minutos
        self.descripcion = descripcion

    @event("Seguimiento")
    def seguimiento(self, duracion_minutos, descripcion):
        self.duracion_minutos = duracion_minutos
        self.descripcion = descripcion


class Pares(Application):
    pass


def nueva(events):
    """A new aggregate with `events` pending events (its creation and events - 1 follow-ups)."""
    atencion = Atencion("AtencionMedica", "asistencia", "FGR", 45, "Atención médica de seguimiento")
    for n in range(1, events):
        atencion.seguimiento(45 + n, "Atención médica de seguimiento")
    return atencion


def app(**extra):
    env = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}
    env.update(extra)
    return Pares(env=env)


def writer(size, seconds, barrier, results):
    application = app(CREATE_TABLE="no")
    application.save(nueva(size))  # warm-up: connection, prepared statements
    barrier.wait()
    deadline = time.monotonic() + seconds
    written = 0
    while time.monotonic() < deadline:
        application.save(nueva(size))
        written += size
    results.put((written, time.monotonic()))
    application.close()


def write(args):
    app().close()  # creates the table, its type and index once, before the writers start
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(args.writers + 1)
    results = ctx.Queue()
    processes = [ctx.Process(target=writer, args=(args.size, args.seconds, barrier, results)) for _ in range(args.writers)]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.monotonic()
    finished = [results.get() for _ in processes]
    for process in processes:
        process.join()
    if any(process.exitcode != 0 for process in processes):
        sys.exit("un escritor terminó con error")
    total = sum(written for written, _ in finished)
    elapsed = max(end for _, end in finished) - started
    print("RESULT es_write_%d_%d %d" % (args.size, args.writers, total / elapsed))
    print("RESULT es_written_%d_%d %d" % (args.size, args.writers, total))


def load(args):
    application = app()
    remaining = args.events
    while remaining > 0:
        batch = []
        while remaining > 0 and len(batch) < 10:
            batch.append(nueva(min(100, remaining)))
            remaining -= min(100, remaining)
        application.save(*batch)
    application.close()
    print("RESULT es_loaded %d" % args.events)


def read(args):
    application = app(CREATE_TABLE="no")
    recorder = application.recorder
    started = time.monotonic()
    count, last, checksum, gaps = 0, None, 0, 0
    while True:
        page = recorder.select_notifications(start=last, limit=args.page, inclusive_of_start=False)
        if not page:
            break
        for notification in page:
            # In order, and counting the holes in the numbering a reader walks past.
            if last is not None:
                if notification.id <= last:
                    sys.exit("orden roto en la notificación %d" % notification.id)
                gaps += notification.id - last - 1
            last = notification.id
            checksum += notification.id + len(notification.state)
        count += len(page)
    elapsed = time.monotonic() - started
    application.close()
    print("RESULT es_read_events %d" % count)
    print("RESULT es_read_rate %d" % (count / elapsed))
    print("RESULT es_read_gaps %d" % gaps)
    print("RESULT es_read_checksum %d" % checksum)


def huecos(args):
    from eventsourcing.persistence import IntegrityError

    application = app()
    atencion = nueva(1)
    application.save(atencion)
    first, second = application.repository.get(atencion.id), application.repository.get(atencion.id)
    first.seguimiento(50, "primera")
    second.seguimiento(60, "segunda")
    application.save(first)
    try:
        application.save(second)
        sys.exit("la segunda escritura a la misma versión no fue rechazada")
    except IntegrityError:
        pass
    application.save(nueva(1))
    ids = [n.id for n in application.recorder.select_notifications(start=None, limit=1_000_000)]
    application.close()
    print("RESULT es_huecos_ids %s" % ",".join(str(i) for i in ids[-3:]))
    print("RESULT es_huecos %d" % (ids[-1] - ids[0] + 1 - len(ids)))


def main():
    parser = argparse.ArgumentParser(description="eventsourcing (PyPI) con PostgreSQL, para ops/bench pares")
    parser.add_argument("mode", choices=["write", "load", "read", "huecos"])
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--size", type=int, default=1)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--page", type=int, default=1_000)
    args = parser.parse_args()
    {"write": write, "load": load, "read": read, "huecos": huecos}[args.mode](args)


if __name__ == "__main__":
    main()
