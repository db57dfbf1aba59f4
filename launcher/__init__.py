"""`make run`: start every service of the product as one foreground command."""
