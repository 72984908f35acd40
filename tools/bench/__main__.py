from tools.bench.runner import main

main()
