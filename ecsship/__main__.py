from ecsship.cli.app import main

main()
