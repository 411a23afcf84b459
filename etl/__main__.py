"""python -m etl check|load|build|template|status — see README.md."""

from etl.cli import main

raise SystemExit(main())
