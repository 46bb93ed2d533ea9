package fakedep

const Name = "fakedep"
