#include <stdio.h>
#include <string.h>

#include "greet.h"

static int failures;

static void expect(const char *name, const char *want)
{
    char got[64];

    greet(name, got, sizeof(got));
    if (strcmp(got, want) != 0) {
        printf("FAIL: greet(%s) = \"%s\", want \"%s\"\n", name ? name : "NULL", got, want);
        failures++;
    }
}

int main(void)
{
    expect("Rig", "Hello, Rig!");
    expect("", "Hello, world!");
    expect(NULL, "Hello, world!");
    printf("%s\n", failures ? "tests failed" : "all tests passed");
    return failures ? 1 : 0;
}
