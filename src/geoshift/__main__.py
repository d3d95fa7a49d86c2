from geoshift.cli import main

main()
