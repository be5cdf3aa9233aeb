/*
 * Replays every file of a corpus directory through LLVMFuzzerTestOneInput so a
 * normal (gcc) build regression-tests every input the fuzzers ever found.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int n = 0;

    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        struct dirent *de;

        if (!d) {
            fprintf(stderr, "replay: cannot open corpus %s\n", argv[i]);
            return 1;
        }
        while ((de = readdir(d))) {
            char path[4096];
            char *data = NULL;
            size_t len = 0;

            if (de->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
            if (rig_read_file(path, 0, &data, &len, NULL) < 0) {
                fprintf(stderr, "replay: cannot read %s\n", path);
                closedir(d);
                return 1;
            }
            LLVMFuzzerTestOneInput((const uint8_t *)data, len);
            free(data);
            n++;
        }
        closedir(d);
    }
    printf("replay: %d inputs, no crash\n", n);
    return n > 0 ? 0 : 1;
}
