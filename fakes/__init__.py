"""Local stand-ins for outside systems, written from their published documentation, for tests
and benchmarks (never imported by the apps). Each fake is strict about what its document
requires, so code that passes against it sends what the real service accepts."""
