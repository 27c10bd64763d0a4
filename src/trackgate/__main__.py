from trackgate.cli.main import main

main()
