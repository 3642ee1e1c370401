from smartstore.cli import main

main()
