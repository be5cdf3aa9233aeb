#ifndef GREET_H
#define GREET_H

#include <stddef.h>

/* "Hello, <name>!" into buf (truncated to n); "Hello, world!" for NULL or "". */
int greet(const char *name, char *buf, size_t n);

#endif
