"""One Flask blueprint per public LivePerson API; views parse, call the model, render."""
