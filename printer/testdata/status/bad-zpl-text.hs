Hello, world
ab