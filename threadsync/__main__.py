from threadsync.cli import main

raise SystemExit(main())
