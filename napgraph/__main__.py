from napgraph.cli import main

main()
