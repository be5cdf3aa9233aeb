#include "greet.h"

#include <stdio.h>

int greet(const char *name, char *buf, size_t n)
{
    if (!name || !*name)
        name = "world";
    return snprintf(buf, n, "Hello, %s!", name);
}
