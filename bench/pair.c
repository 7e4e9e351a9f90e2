// pair N CMD_A... ::: CMD_B... — runs A and B alternately N times (after a warm-up) and
// prints the median wall time of each and the median, p25 and p75 of the per-pair ratio B/A.
// Interleaving makes the ratio robust to the drift of a shared machine: A and B see the same
// minutes, which sequential batches (hyperfine's) do not guarantee.
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static double run(char **argv) {
  pid_t p;
  const double t0 = now_us();
  if (posix_spawn(&p, argv[0], NULL, NULL, argv, environ) != 0) {
    perror(argv[0]);
    exit(2);
  }
  int status;
  waitpid(p, &status, 0);
  return now_us() - t0;
}

static int cmp(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: pair N CMD_A... ::: CMD_B...\n");
    return 2;
  }
  const int n = atoi(argv[1]);
  int i = 2;
  while (i < argc && strcmp(argv[i], ":::") != 0) i++;
  if (i >= argc - 1 || n < 1) return 2;
  argv[i] = NULL;
  char **a = argv + 2, **b = argv + i + 1;
  double *ta = malloc(n * sizeof(double)), *tb = malloc(n * sizeof(double)), *r = malloc(n * sizeof(double));
  for (int k = 0; k < 3; k++) {
    run(a);
    run(b);
  }
  for (int k = 0; k < n; k++) {  // alternate which goes first, too
    if (k & 1) {
      tb[k] = run(b);
      ta[k] = run(a);
    } else {
      ta[k] = run(a);
      tb[k] = run(b);
    }
    r[k] = tb[k] / ta[k];
  }
  qsort(ta, n, sizeof(double), cmp);
  qsort(tb, n, sizeof(double), cmp);
  qsort(r, n, sizeof(double), cmp);
  printf("%.0f\t%.0f\t%.3f\t%.3f\t%.3f\n", ta[n / 2], tb[n / 2], r[n / 2], r[n / 4], r[3 * n / 4]);
  return 0;
}
