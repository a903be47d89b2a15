"""Code that runs inside the interpreter under test.

Every module here is run as a script by `envcheck.probing.runner`, in its own
process, by an interpreter that may be any CPython from 3.7 up. So: standard
library only (plus that interpreter's TensorFlow), no syntax newer than 3.7,
never `import envcheck`, flat imports of siblings (`import _probelib`), and
module names that cannot shadow anything (`probe_*`). Each prints exactly one
JSON document on its original stdout (see `_probelib.run`).

`_probelib` also defines the protocol's constants (its version, the progress
marker, the benchmark's event names); the tool reads them from there
(`envcheck.probing.protocol`), so importing it must only define names.
"""
