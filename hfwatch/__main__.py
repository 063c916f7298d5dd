from hfwatch.cli.main import main

raise SystemExit(main())
