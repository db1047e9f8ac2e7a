/*
 * Fused float32 loops for the training step of neuralab.nn (an optional C extension), and
 * the playground's float64 training epoch (pg_epoch, at the end).
 *
 * The numpy code in network.py, losses.py and optimizers.py is the reference and stays the
 * readable version of every step. Each numpy operation there is one pass over memory; at the
 * sizes the lab trains (a batch of 200, a 784-64-64-10 network), the passes and the calls cost
 * more than the arithmetic. These functions do the same arithmetic in one pass each:
 *
 *   bias_act(z, b, n, k, relu)        z = z + b (then max(z, 0)), in place
 *   relu_backward(d, a, sums, n, k)   d = d where a > 0, else 0; sums = column sums of d
 *   softmax_xent(z, y, sums, n, k)    z -> (softmax(z) - onehot(y)) / n, in place, and its
 *                                     column sums; returns (sum of row losses, rows whose
 *                                     argmax is y)
 *   l2_gradient(g, w, c, n)           g += c * w; returns sum(w**2)
 *   adam(p, g, m, v, b1, b2, c, eps, n)   the update of optimizers.Adam, same scaled moments
 *   csr_matmul(data, indices, indptr, rows, w, out, n_rows, n_features, k[, threads])
 *                                     (float32 data, int32 column indices, int64 indptr
 *                                     and rows)
 *                                     out = X[rows] @ w for a CSR matrix X, reading only
 *                                     the nonzeros of the picked rows (no copy of them)
 *   csr_t_matmul(data, indices, indptr, rows, d, g, n_rows, n_features, k[, threads])
 *                                     g = X[rows].T @ d, the same way; the first splits
 *                                     its output across up to `threads` threads (default
 *                                     1) with bit-identical results, the second runs on
 *                                     one thread (`threads` is accepted and ignored)
 *   csr_count(x, indptr, n, d)        indptr of the CSR form of a dense n x d array;
 *                                     returns its number of nonzeros
 *   csr_fill(x, indptr, data, indices, n, d)   then its data and column indices (one
 *                                     spare slot at the end of each)
 *
 *   tree_grow(columns, y, levels, left, right, feature, threshold, counts, depth,
 *             n, n_features, n_classes, max_depth)
 *                                     grows the gini CART tree of neuralab/nn/tree.py
 *                                     (its numpy code is the reference) from feature-major
 *                                     uint8 level codes; returns the node count
 *
 *   pg_epoch(X, y, sizes, acts, layers, output, loss, batch, rate, reg, reg_rate,
 *            optimizer, count, t)     one training epoch of the playground's network
 *                                     (neuralab/labs/playground/model.py, whose numpy code
 *                                     is the reference), in float64: forward, backward,
 *                                     gradient sums and every update, in place
 *
 * The two CSR products are the first layer's matmuls on mostly-zero inputs (MNIST's pixels
 * are 81% zeros): a dense product multiplies every zero, these skip them. Their reference
 * is the dense product of the same rows (network.py), which they match to rounding.
 *
 * Arrays arrive through the buffer protocol and must be C-contiguous; kernels.py checks
 * dtypes and shapes, and this file checks byte lengths. Compiled with -ffp-contract=off, so
 * the L2 gradient and adam round exactly as numpy does and give bit-identical results.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define HAVE_PTHREADS 1
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
/* One build runs everywhere; the loader picks the widest vector unit the CPU has. */
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

/* 0 if an n x k array of up to 8-byte items has a representable size, else -1 (an error). */
static int
check_shape(Py_ssize_t n, Py_ssize_t k)
{
    if (n < 0 || k < 0 || (k > 0 && n > PY_SSIZE_T_MAX / 8 / k)) {
        PyErr_Format(PyExc_ValueError, "bad array shape (%zd, %zd)", n, k);
        return -1;
    }
    return 0;
}

/* Borrow a buffer of exactly `nbytes` bytes (writable or not); 0 on success. */
static int
take(PyObject *obj, Py_buffer *view, Py_ssize_t nbytes, int writable, const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    if (view->len != nbytes) {
        PyErr_Format(PyExc_ValueError, "%s has %zd bytes, expected %zd", name, view->len,
                     nbytes);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

CLONES static void
bias_act_loop(float *restrict z, const float *restrict b, Py_ssize_t n, Py_ssize_t k, int relu)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        float *row = z + i * k;
        if (relu) {
            for (Py_ssize_t j = 0; j < k; j++) {
                float v = row[j] + b[j];
                row[j] = v < 0.0f ? 0.0f : v; /* NaN stays NaN, as with np.maximum */
            }
        } else {
            for (Py_ssize_t j = 0; j < k; j++)
                row[j] += b[j];
        }
    }
}

static PyObject *
bias_act(PyObject *self, PyObject *args)
{
    PyObject *zo, *bo;
    Py_ssize_t n, k;
    int relu;
    Py_buffer z, b;
    if (!PyArg_ParseTuple(args, "OOnnp", &zo, &bo, &n, &k, &relu) || check_shape(n, k) < 0)
        return NULL;
    if (take(zo, &z, n * k * 4, 1, "z") < 0)
        return NULL;
    if (take(bo, &b, k * 4, 0, "b") < 0) {
        PyBuffer_Release(&z);
        return NULL;
    }
    bias_act_loop(z.buf, b.buf, n, k, relu);
    PyBuffer_Release(&b);
    PyBuffer_Release(&z);
    Py_RETURN_NONE;
}

CLONES static void
relu_backward_loop(float *restrict d, const float *restrict a, float *restrict sums,
                   Py_ssize_t n, Py_ssize_t k)
{
    for (Py_ssize_t j = 0; j < k; j++)
        sums[j] = 0.0f;
    for (Py_ssize_t i = 0; i < n; i++) {
        float *row = d + i * k;
        const float *act = a + i * k;
        for (Py_ssize_t j = 0; j < k; j++) {
            float v = act[j] > 0.0f ? row[j] : 0.0f;
            row[j] = v;
            sums[j] += v;
        }
    }
}

static PyObject *
relu_backward(PyObject *self, PyObject *args)
{
    PyObject *d_o, *a_o, *s_o;
    Py_ssize_t n, k;
    Py_buffer d, a, sums;
    if (!PyArg_ParseTuple(args, "OOOnn", &d_o, &a_o, &s_o, &n, &k) || check_shape(n, k) < 0)
        return NULL;
    if (take(d_o, &d, n * k * 4, 1, "d") < 0)
        return NULL;
    if (take(a_o, &a, n * k * 4, 0, "a") < 0)
        goto release_d;
    if (take(s_o, &sums, k * 4, 1, "sums") < 0)
        goto release_a;
    relu_backward_loop(d.buf, a.buf, sums.buf, n, k);
    PyBuffer_Release(&sums);
    PyBuffer_Release(&a);
    PyBuffer_Release(&d);
    Py_RETURN_NONE;
release_a:
    PyBuffer_Release(&a);
release_d:
    PyBuffer_Release(&d);
    return NULL;
}

/* Returns -1 if a label is out of range (nothing is then guaranteed about z), else 0. */
static int
softmax_xent_loop(float *restrict z, const int64_t *restrict y, float *restrict sums,
                  Py_ssize_t n, Py_ssize_t k, double *loss, Py_ssize_t *correct)
{
    const float inv_n = 1.0f / (float)n;
    double total = 0.0;
    Py_ssize_t right = 0;
    for (Py_ssize_t j = 0; j < k; j++)
        sums[j] = 0.0f;
    for (Py_ssize_t i = 0; i < n; i++) {
        float *row = z + i * k;
        int64_t label = y[i];
        if (label < 0 || label >= k)
            return -1;
        Py_ssize_t best = 0;
        float top = row[0];
        for (Py_ssize_t j = 1; j < k; j++)
            if (row[j] > top) {
                top = row[j];
                best = j;
            }
        right += best == label;
        float picked = row[label] - top;
        float sum = 0.0f;
        for (Py_ssize_t j = 0; j < k; j++) {
            float e = expf(row[j] - top);
            row[j] = e;
            sum += e;
        }
        total += (double)logf(sum) - (double)picked;
        float scale = inv_n / sum;
        for (Py_ssize_t j = 0; j < k; j++)
            row[j] *= scale;
        row[label] -= inv_n;
        for (Py_ssize_t j = 0; j < k; j++)
            sums[j] += row[j];
    }
    *loss = total;
    *correct = right;
    return 0;
}

static PyObject *
softmax_xent(PyObject *self, PyObject *args)
{
    PyObject *zo, *yo, *so;
    Py_ssize_t n, k, correct = 0;
    Py_buffer z, y, sums;
    double loss = 0.0;
    int status;
    if (!PyArg_ParseTuple(args, "OOOnn", &zo, &yo, &so, &n, &k) || check_shape(n, k) < 0)
        return NULL;
    if (n < 1 || k < 1) {
        PyErr_SetString(PyExc_ValueError, "softmax_xent needs n >= 1 and k >= 1");
        return NULL;
    }
    if (take(zo, &z, n * k * 4, 1, "z") < 0)
        return NULL;
    if (take(yo, &y, n * 8, 0, "y") < 0)
        goto release_z;
    if (take(so, &sums, k * 4, 1, "sums") < 0)
        goto release_y;
    Py_BEGIN_ALLOW_THREADS
    status = softmax_xent_loop(z.buf, y.buf, sums.buf, n, k, &loss, &correct);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&sums);
    PyBuffer_Release(&y);
    PyBuffer_Release(&z);
    if (status < 0) {
        PyErr_Format(PyExc_IndexError, "labels must be in 0..%zd", k - 1);
        return NULL;
    }
    return Py_BuildValue("dn", loss, correct);
release_y:
    PyBuffer_Release(&y);
release_z:
    PyBuffer_Release(&z);
    return NULL;
}

/* g += c * w; returns sum(w**2), accumulated in 16 lanes (deterministic, and vectorized). */
CLONES static double
l2_gradient_loop(float *restrict g, const float *restrict w, float c, Py_ssize_t n)
{
    float lanes[16] = {0.0f};
    Py_ssize_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) {
            float x = w[i + j];
            lanes[j] += x * x;
            g[i + j] += x * c;
        }
    double total = 0.0;
    for (; i < n; i++) {
        total += (double)w[i] * w[i];
        g[i] += w[i] * c;
    }
    for (int j = 0; j < 16; j++)
        total += lanes[j];
    return total;
}

static PyObject *
l2_gradient(PyObject *self, PyObject *args)
{
    PyObject *go, *wo;
    float c;
    Py_ssize_t n;
    Py_buffer g, w;
    double total;
    if (!PyArg_ParseTuple(args, "OOfn", &go, &wo, &c, &n) || check_shape(n, 1) < 0)
        return NULL;
    if (take(go, &g, n * 4, 1, "g") < 0)
        return NULL;
    if (take(wo, &w, n * 4, 0, "w") < 0) {
        PyBuffer_Release(&g);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    total = l2_gradient_loop(g.buf, w.buf, c, n);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&w);
    PyBuffer_Release(&g);
    return PyFloat_FromDouble(total);
}

/* Same operations, in the same order, as optimizers.Adam.step's numpy passes. */
CLONES static void
adam_loop(float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
          float b1, float b2, float c, float eps, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = m[i] * b1 + gi;
        float vi = v[i] * b2 + gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= (mi / (sqrtf(vi) + eps)) * c;
    }
}

static PyObject *
adam(PyObject *self, PyObject *args)
{
    PyObject *po, *go, *mo, *vo;
    float b1, b2, c, eps;
    Py_ssize_t n;
    Py_buffer p, g, m, v;
    if (!PyArg_ParseTuple(args, "OOOOffffn", &po, &go, &mo, &vo, &b1, &b2, &c, &eps, &n) ||
        check_shape(n, 1) < 0)
        return NULL;
    if (take(po, &p, n * 4, 1, "p") < 0)
        return NULL;
    if (take(go, &g, n * 4, 0, "g") < 0)
        goto release_p;
    if (take(mo, &m, n * 4, 1, "m") < 0)
        goto release_g;
    if (take(vo, &v, n * 4, 1, "v") < 0)
        goto release_m;
    Py_BEGIN_ALLOW_THREADS
    adam_loop(p.buf, g.buf, m.buf, v.buf, b1, b2, c, eps, n);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&v);
    PyBuffer_Release(&m);
    PyBuffer_Release(&g);
    PyBuffer_Release(&p);
    Py_RETURN_NONE;
release_m:
    PyBuffer_Release(&m);
release_g:
    PyBuffer_Release(&g);
release_p:
    PyBuffer_Release(&p);
    return NULL;
}

/* Checks rows[] and the CSR structure of each picked row; -1 if any index is out of range.
 * A row's column indices are checked by one unsigned maximum, without a branch per index,
 * which the compiler turns into vector code (a branch per index was ~9% of a fit). */
CLONES static int
csr_check(const int32_t *restrict indices, const int64_t *restrict indptr,
          const int64_t *restrict rows, Py_ssize_t m, Py_ssize_t n_total, Py_ssize_t nnz,
          Py_ssize_t n_features)
{
    for (Py_ssize_t b = 0; b < m; b++) {
        int64_t r = rows[b];
        if (r < 0 || r >= n_total)
            return -1;
        int64_t start = indptr[r], end = indptr[r + 1];
        if (start < 0 || end < start || end > nnz)
            return -1;
        uint32_t top = 0;  /* a negative index is a huge unsigned one */
        for (int64_t q = start; q < end; q++) {
            uint32_t c = (uint32_t)indices[q];
            top = c > top ? c : top;
        }
        if (end > start && (Py_ssize_t)top >= n_features)
            return -1;
    }
    return 0;
}

/* out[b, :] = sum over the nonzeros q of row rows[b] of data[q] * w[indices[q], :].
 * Summing into `out` itself would wait on a store and a reload at every nonzero. Instead each
 * block of columns (64, then 32) is summed in four local accumulators (nonzeros q and q+4 go
 * to the first, q+1 and q+5 to the second, ...), small enough for the compiler to keep in
 * vector registers, so several sums progress at once; the four are added at the end of the
 * row, always in the same order, so every entry is the same sum whatever the block. */
#define CSR_BLOCK 64

/* One row's columns [j0, j0 + width) of out; `width` is a constant once inlined. */
static inline __attribute__((always_inline)) void
csr_row_block(const float *restrict data, const int32_t *restrict indices, int64_t start,
              int64_t end, const float *restrict base, float *restrict o, Py_ssize_t k,
              const int width)
{
    float a0[CSR_BLOCK] = {0.0f}, a1[CSR_BLOCK] = {0.0f};
    float a2[CSR_BLOCK] = {0.0f}, a3[CSR_BLOCK] = {0.0f};
    int64_t q = start;
    for (; q + 8 <= end; q += 8) {
        const float *restrict w0 = base + indices[q] * k;
        const float *restrict w1 = base + indices[q + 1] * k;
        const float *restrict w2 = base + indices[q + 2] * k;
        const float *restrict w3 = base + indices[q + 3] * k;
        const float *restrict w4 = base + indices[q + 4] * k;
        const float *restrict w5 = base + indices[q + 5] * k;
        const float *restrict w6 = base + indices[q + 6] * k;
        const float *restrict w7 = base + indices[q + 7] * k;
        for (int j = 0; j < width; j++) {
            a0[j] += data[q] * w0[j] + data[q + 4] * w4[j];
            a1[j] += data[q + 1] * w1[j] + data[q + 5] * w5[j];
            a2[j] += data[q + 2] * w2[j] + data[q + 6] * w6[j];
            a3[j] += data[q + 3] * w3[j] + data[q + 7] * w7[j];
        }
    }
    for (; q < end; q++) {
        const float x = data[q];
        const float *restrict wr = base + indices[q] * k;
        for (int j = 0; j < width; j++)
            a0[j] += x * wr[j];
    }
    for (int j = 0; j < width; j++)
        o[j] = (a0[j] + a1[j]) + (a2[j] + a3[j]);
}

CLONES static void
csr_matmul_loop(const float *restrict data, const int32_t *restrict indices,
                const int64_t *restrict indptr, const int64_t *restrict rows,
                const float *restrict w, float *restrict out, Py_ssize_t m, Py_ssize_t k)
{
    for (Py_ssize_t b = 0; b < m; b++) {
        const int64_t start = indptr[rows[b]], end = indptr[rows[b] + 1];
        float *restrict o = out + b * k;
        Py_ssize_t j0 = 0;
        for (; j0 + 64 <= k; j0 += 64)
            csr_row_block(data, indices, start, end, w + j0, o + j0, k, 64);
        for (; j0 + 32 <= k; j0 += 32)
            csr_row_block(data, indices, start, end, w + j0, o + j0, k, 32);
        for (Py_ssize_t j = j0; j < k; j++) {  /* the last k % 32 columns, one at a time */
            float acc = 0.0f;
            for (int64_t q = start; q < end; q++)
                acc += data[q] * w[indices[q] * k + j];
            o[j] = acc;
        }
    }
}

/* ---------------------------------------------------------- work split across threads
 * With threads > 1, a CSR product is cut into chunks that write disjoint slices of its
 * output (rows of out = X[rows] @ w), and each chunk is computed
 * exactly as the whole loop computes it: every output entry is the same sum in the same
 * order, so the result is bit-identical for any number of threads. The calling thread (which
 * holds no GIL meanwhile) and up to threads - 1 helper POSIX threads, started for the call,
 * take the chunks one by one from a shared counter. On a busy machine a helper may start
 * late or not at all: the caller then takes the remaining chunks itself and waits only for
 * the chunks a helper is in the middle of, never for a helper to be scheduled. The counters
 * live on the heap, freed by whichever thread leaves last; a helper that finds no chunk left
 * touches nothing else. */
#define CSR_CHUNK_NNZ 2048    /* about 10-20 µs of products: a chunk */
/* Below this many nonzeros a split costs more than it saves (a thread starts per call).
 * Measured on 2 cores with MNIST's first layer (64 outputs): the product gains from 50,000
 * nonzeros (a batch of ~340 images; 1.5x at 750,000); a batch of 200 (30,000) lost up to
 * 10 us when split. */
#define CSR_SPLIT_NNZ 50000
#define CSR_MAX_CHUNKS 64

typedef void (*PartFn)(void *ctx, Py_ssize_t part, Py_ssize_t parts);

#ifdef HAVE_PTHREADS
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct {
    PartFn fn;
    void *ctx;  /* valid while done < parts: the caller waits for that before it returns */
    Py_ssize_t parts;
    atomic_long next, done;
    atomic_int refs;
} Chunks;

static void
take_chunks(Chunks *c)
{
    for (;;) {
        long i = atomic_fetch_add(&c->next, 1);
        if (i >= c->parts)
            return;
        c->fn(c->ctx, i, c->parts);
        atomic_fetch_add(&c->done, 1);
    }
}

static void
leave_chunks(Chunks *c)
{
    if (atomic_fetch_sub(&c->refs, 1) == 1)
        free(c);
}

static void *
helper_main(void *arg)
{
    take_chunks(arg);
    leave_chunks(arg);
    return NULL;
}
#endif

/* Runs fn(ctx, i, parts) for every i in 0..parts-1 on up to `threads` threads; returns when
 * all are done. */
static void
run_parts(PartFn fn, void *ctx, Py_ssize_t parts, Py_ssize_t threads)
{
#ifdef HAVE_PTHREADS
    Chunks *c = parts > 1 && threads > 1 ? malloc(sizeof(Chunks)) : NULL;
    if (c != NULL) {
        Py_ssize_t helpers = (threads < parts ? threads : parts) - 1;
        c->fn = fn;
        c->ctx = ctx;
        c->parts = parts;
        atomic_init(&c->next, 0);
        atomic_init(&c->done, 0);
        atomic_init(&c->refs, (int)helpers + 1);
        pthread_attr_t attr;
        int detached = pthread_attr_init(&attr) == 0;
        if (detached)
            detached = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0;
        for (Py_ssize_t h = 0; h < helpers; h++) {
            pthread_t thread;
            if (!detached || pthread_create(&thread, &attr, helper_main, c) != 0)
                atomic_fetch_sub(&c->refs, 1);  /* never started: not waited for */
        }
        if (detached)
            pthread_attr_destroy(&attr);
        take_chunks(c);
        while (atomic_load(&c->done) < parts)  /* only chunks a helper is computing */
            sched_yield();
        leave_chunks(c);
        return;
    }
#endif
    for (Py_ssize_t i = 0; i < parts; i++)
        fn(ctx, i, parts);
}

/* How many chunks `nnz` nonzeros make for `threads` threads (1: no split). */
static Py_ssize_t
parts_for(Py_ssize_t nnz, Py_ssize_t threads)
{
    if (threads < 2 || nnz < CSR_SPLIT_NNZ)
        return 1;
    Py_ssize_t parts = nnz / CSR_CHUNK_NNZ;
    return parts > CSR_MAX_CHUNKS ? CSR_MAX_CHUNKS : parts;
}

typedef struct {
    const float *data;
    const int32_t *indices;
    const int64_t *indptr, *rows;
    const float *w;
    float *out;
    Py_ssize_t m, k;
} MatmulJob;

/* Chunk `part` of `parts` of csr_matmul: an equal share of the batch's rows. */
static void
csr_matmul_part(void *ctx, Py_ssize_t part, Py_ssize_t parts)
{
    const MatmulJob *j = ctx;
    Py_ssize_t lo = j->m * part / parts, hi = j->m * (part + 1) / parts;
    csr_matmul_loop(j->data, j->indices, j->indptr, j->rows + lo, j->w, j->out + lo * j->k,
                    hi - lo, j->k);
}

/* g = X[rows].T @ d, columns [j0, j0 + width) of it, for the rows [0, m) of the batch:
 * each nonzero x at (b, c) adds x * d[b, j] to g[c, j], the batch's rows in order, so every
 * entry of g is the same sum in the same order whatever the block. The row of d
 * stays in registers for all the nonzeros of its row of X, and g (784 x 64 floats for the
 * lab's first layer: 200 KB) in the cache. This measured a third faster than sorting the
 * nonzeros by column to sum each row of g in registers (the sort was half the time).
 * `width` is a constant once inlined. */
static inline __attribute__((always_inline)) void
csr_t_block(const float *restrict data, const int32_t *restrict indices,
            const int64_t *restrict indptr, const int64_t *restrict rows,
            const float *restrict d, float *restrict g, Py_ssize_t m, Py_ssize_t k,
            Py_ssize_t j0, const int width)
{
    for (Py_ssize_t b = 0; b < m; b++) {
        float dv[CSR_BLOCK];
        for (int j = 0; j < width; j++)
            dv[j] = d[b * k + j0 + j];
        for (int64_t q = indptr[rows[b]]; q < indptr[rows[b] + 1]; q++) {
            const float x = data[q];
            float *restrict gr = g + (Py_ssize_t)indices[q] * k + j0;
            for (int j = 0; j < width; j++)
                gr[j] += x * dv[j];
        }
    }
}

/* g = X[rows].T @ d: zeroed, then summed in blocks of 64 and 32 columns, the rest one
 * column at a time. */
CLONES static void
csr_t_loop(const float *restrict data, const int32_t *restrict indices,
           const int64_t *restrict indptr, const int64_t *restrict rows,
           const float *restrict d, float *restrict g, Py_ssize_t m, Py_ssize_t n_features,
           Py_ssize_t k)
{
    memset(g, 0, n_features * k * sizeof(float));
    Py_ssize_t j0 = 0;
    for (; j0 + 64 <= k; j0 += 64)
        csr_t_block(data, indices, indptr, rows, d, g, m, k, j0, 64);
    for (; j0 + 32 <= k; j0 += 32)
        csr_t_block(data, indices, indptr, rows, d, g, m, k, j0, 32);
    for (; j0 < k; j0++)
        csr_t_block(data, indices, indptr, rows, d, g, m, k, j0, 1);
}

/* The argument handling csr_matmul and csr_t_matmul share. Their fifth and sixth arguments
 * are w (n_features x k, read) and out (m x k, written) for the product, d (m x k, read) and
 * g (n_features x k, written) for the transposed one. */
static PyObject *
csr_product(PyObject *args, int transposed)
{
    PyObject *data_o, *ind_o, *ptr_o, *rows_o, *a_o, *b_o;
    Py_ssize_t m, n_features, k, threads = 1;
    Py_buffer data, ind, ptr, rows, a, b;
    PyObject *result = NULL;
    int status;
    if (!PyArg_ParseTuple(args, "OOOOOOnnn|n", &data_o, &ind_o, &ptr_o, &rows_o, &a_o, &b_o,
                          &m, &n_features, &k, &threads) ||
        check_shape(m, k) < 0 || check_shape(n_features, k) < 0)
        return NULL;
    if (threads > 256)
        threads = 256;
    if (threads < 1) {
        PyErr_Format(PyExc_ValueError, "threads must be >= 1 (got %zd)", threads);
        return NULL;
    }
    if (m > INT32_MAX || n_features > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "at most 2**31 - 1 rows and features");
        return NULL;
    }
    if (PyObject_GetBuffer(data_o, &data, PyBUF_C_CONTIGUOUS) < 0)
        return NULL;
    Py_ssize_t nnz = data.len / 4;
    if (take(ind_o, &ind, nnz * 4, 0, "indices") < 0)
        goto release_data;
    if (PyObject_GetBuffer(ptr_o, &ptr, PyBUF_C_CONTIGUOUS) < 0)
        goto release_ind;
    Py_ssize_t n_total = ptr.len / 8 - 1;
    if (n_total < 0 || ptr.len % 8 || data.len % 4) {
        PyErr_SetString(PyExc_ValueError, "indptr or data has a bad length");
        goto release_ptr;
    }
    if (take(rows_o, &rows, m * 8, 0, "rows") < 0)
        goto release_ptr;
    /* a: w (n_features x k) for the product, d (m x k) for the transposed one */
    if (take(a_o, &a, (transposed ? m : n_features) * k * 4, 0, transposed ? "d" : "w") < 0)
        goto release_rows;
    if (take(b_o, &b, (transposed ? n_features : m) * k * 4, 1, transposed ? "g" : "out") < 0)
        goto release_a;
    Py_BEGIN_ALLOW_THREADS
    status = csr_check(ind.buf, ptr.buf, rows.buf, m, n_total, nnz, n_features);
    Py_ssize_t picked = 0;
    for (Py_ssize_t r = 0; status == 0 && r < m; r++)
        picked += ((const int64_t *)ptr.buf)[((const int64_t *)rows.buf)[r] + 1]
                  - ((const int64_t *)ptr.buf)[((const int64_t *)rows.buf)[r]];
    if (status == 0 && transposed)  /* one thread: a split by columns of g measured slower */
        csr_t_loop(data.buf, ind.buf, ptr.buf, rows.buf, a.buf, b.buf, m, n_features, k);
    else if (status == 0) {
        MatmulJob job = {data.buf, ind.buf, ptr.buf, rows.buf, a.buf, b.buf, m, k};
        run_parts(csr_matmul_part, &job, parts_for(picked, threads),
                  threads);
    }
    Py_END_ALLOW_THREADS
    if (status < 0)
        PyErr_SetString(PyExc_IndexError, "a row, indptr entry or column index is out of range");
    else
        result = Py_NewRef(Py_None);
    PyBuffer_Release(&b);
release_a:
    PyBuffer_Release(&a);
release_rows:
    PyBuffer_Release(&rows);
release_ptr:
    PyBuffer_Release(&ptr);
release_ind:
    PyBuffer_Release(&ind);
release_data:
    PyBuffer_Release(&data);
    return result;
}

static PyObject *
csr_matmul(PyObject *self, PyObject *args)
{
    return csr_product(args, 0);
}

static PyObject *
csr_t_matmul(PyObject *self, PyObject *args)
{
    return csr_product(args, 1);
}

/* indptr[0] = 0 and indptr[i + 1] = indptr[i] + the nonzeros of row i; returns the total. */
CLONES static int64_t
csr_count_loop(const float *restrict x, int64_t *restrict indptr, Py_ssize_t n, Py_ssize_t d)
{
    int64_t total = 0;
    indptr[0] = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const float *row = x + i * d;
        int64_t count = 0;
        for (Py_ssize_t j = 0; j < d; j++)
            count += row[j] != 0.0f;
        total += count;
        indptr[i + 1] = total;
    }
    return total;
}

static PyObject *
csr_count(PyObject *self, PyObject *args)
{
    PyObject *x_o, *ptr_o;
    Py_ssize_t n, d;
    Py_buffer x, ptr;
    int64_t total;
    if (!PyArg_ParseTuple(args, "OOnn", &x_o, &ptr_o, &n, &d) || check_shape(n, d) < 0)
        return NULL;
    if (take(x_o, &x, n * d * 4, 0, "x") < 0)
        return NULL;
    if (take(ptr_o, &ptr, (n + 1) * 8, 1, "indptr") < 0) {
        PyBuffer_Release(&x);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    total = csr_count_loop(x.buf, ptr.buf, n, d);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&ptr);
    PyBuffer_Release(&x);
    return PyLong_FromLongLong(total);
}

/* Copies the nonzeros of x, row by row, into data and their columns into indices; -1 if
 * indptr does not match x's nonzero counts. Branch-free: every entry is written at the next
 * free place, which only advances past a nonzero (so data and indices hold one spare slot). */
CLONES static int
csr_fill_loop(const float *restrict x, const int64_t *restrict indptr, float *restrict data,
              int32_t *restrict indices, Py_ssize_t n, Py_ssize_t d)
{
    int64_t at = 0;
    const int64_t nnz = indptr[n];
    for (Py_ssize_t i = 0; i < n; i++) {
        if (indptr[i] != at || indptr[i + 1] > nnz || indptr[i + 1] - at > d)
            return -1;
        const float *row = x + i * d;
        for (Py_ssize_t j = 0; j < d; j++) {
            data[at] = row[j];
            indices[at] = (int32_t)j;
            at += row[j] != 0.0f;
            if (at > indptr[i + 1])  /* more nonzeros than indptr says */
                return -1;
        }
    }
    return at == nnz ? 0 : -1;
}

static PyObject *
csr_fill(PyObject *self, PyObject *args)
{
    PyObject *x_o, *ptr_o, *data_o, *ind_o;
    Py_ssize_t n, d;
    Py_buffer x, ptr, data, ind;
    PyObject *result = NULL;
    int status;
    if (!PyArg_ParseTuple(args, "OOOOnn", &x_o, &ptr_o, &data_o, &ind_o, &n, &d) ||
        check_shape(n, d) < 0)
        return NULL;
    if (take(x_o, &x, n * d * 4, 0, "x") < 0)
        return NULL;
    if (take(ptr_o, &ptr, (n + 1) * 8, 0, "indptr") < 0)
        goto release_x;
    if (PyObject_GetBuffer(data_o, &data, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0)
        goto release_ptr;
    Py_ssize_t nnz = ((const int64_t *)ptr.buf)[n];
    if (nnz < 0 || data.len != (nnz + 1) * 4 || d > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "data must hold indptr[-1] + 1 float32 values");
        goto release_data;
    }
    if (take(ind_o, &ind, (nnz + 1) * 4, 1, "indices") < 0)
        goto release_data;
    Py_BEGIN_ALLOW_THREADS
    status = csr_fill_loop(x.buf, ptr.buf, data.buf, ind.buf, n, d);
    Py_END_ALLOW_THREADS
    if (status < 0)
        PyErr_SetString(PyExc_ValueError, "indptr does not match the nonzeros of x");
    else
        result = Py_NewRef(Py_None);
    PyBuffer_Release(&ind);
release_data:
    PyBuffer_Release(&data);
release_ptr:
    PyBuffer_Release(&ptr);
release_x:
    PyBuffer_Release(&x);
    return result;
}

/* ------------------------------------------------------------------ the decision tree */

typedef struct { Py_ssize_t start, end, depth, parent; int is_left; } TreeTask;
/* A node's task sits at stack slot t; the features that vary in its parent sit in slot t of
 * a list array beside the stack (a feature constant in a node is constant below it). The
 * stack holds at most one pending right child per level, so max_depth + 2 slots suffice. */

/* The index of the lowest set bit of a nonzero word. */
static inline int
lowest_bit(uint64_t bits)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(bits);
#else
    int i = 0;
    while (!(bits & 1)) {
        bits >>= 1;
        i++;
    }
    return i;
#endif
}

/* scikit-learn's Gini.proxy_impurity_improvement with its operations in its order. */
static inline double
gini_proxy(double n_left, double n_right, double sq_left, double sq_right)
{
    double gini_left = 1.0 - sq_left / (n_left * n_left);
    double gini_right = 1.0 - sq_right / (n_right * n_right);
    return -n_right * gini_right - n_left * gini_left;
}

/* Depth first, left before right, as scikit-learn numbers nodes. For each node and each
 * feature: a histogram of (level, class) counts over the node's samples, then one pass over
 * the levels present, scoring the split after each but the last. The best split is the
 * first maximum in (feature, level) order. Returns the node count, or -1 (out of memory),
 * -2 (a label >= n_classes). */
static Py_ssize_t
tree_grow_loop(const uint8_t *restrict cols, const uint8_t *restrict y,
               const double *restrict levels, int64_t *restrict left, int64_t *restrict right,
               int64_t *restrict feature, double *restrict threshold, int64_t *restrict counts,
               int64_t *restrict depth_of, Py_ssize_t n, Py_ssize_t n_features,
               Py_ssize_t n_classes, Py_ssize_t max_depth)
{
    Py_ssize_t nodes = 0, top = 0;
    int32_t *samples = malloc(sizeof(int32_t) * (size_t)n);
    TreeTask *stack = malloc(sizeof(TreeTask) * (size_t)(n + 1));
    int64_t *hist = calloc((size_t)(256 * n_classes), sizeof(int64_t));
    int64_t *total = calloc(256, sizeof(int64_t));
    int64_t *run = malloc(sizeof(int64_t) * (size_t)n_classes);
    Py_ssize_t slots = max_depth + 2;
    int32_t *lists = malloc(sizeof(int32_t) * (size_t)(slots * n_features));
    Py_ssize_t *list_len = malloc(sizeof(Py_ssize_t) * (size_t)slots);
    int32_t *varies = malloc(sizeof(int32_t) * (size_t)n_features);
    if (!samples || !stack || !hist || !total || !run || !lists || !list_len || !varies) {
        nodes = -1;
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (y[i] >= n_classes) {
            nodes = -2;
            goto done;
        }
        samples[i] = (int32_t)i;
    }
    for (Py_ssize_t f = 0; f < n_features; f++)
        lists[f] = (int32_t)f;
    list_len[0] = n_features;
    stack[top++] = (TreeTask){0, n, 0, -1, 1};
    while (top > 0) {
        TreeTask task = stack[--top];
        const int32_t *candidates = lists + top * n_features;
        Py_ssize_t n_candidates = list_len[top], n_varies = 0;
        Py_ssize_t node = nodes++, m = task.end - task.start;
        int32_t *s = samples + task.start;
        int64_t *c = counts + node * n_classes;
        if (task.parent >= 0)
            (task.is_left ? left : right)[task.parent] = node;
        left[node] = right[node] = -1;
        feature[node] = -2;
        threshold[node] = -2.0;
        depth_of[node] = task.depth;
        for (Py_ssize_t k = 0; k < n_classes; k++)
            c[k] = 0;
        for (Py_ssize_t i = 0; i < m; i++)
            c[y[s[i]]]++;
        int64_t sq_node = 0;
        for (Py_ssize_t k = 0; k < n_classes; k++)
            sq_node += c[k] * c[k];
        double md = (double)m;
        double impurity = 1.0 - (double)sq_node / (md * md);
        if (task.depth >= max_depth || m < 2 || impurity <= DBL_EPSILON)
            continue;
        double best = -INFINITY;
        Py_ssize_t best_f = -1;
        int best_low = 0, best_high = 0;
        for (Py_ssize_t ci = 0; ci < n_candidates; ci++) {
            Py_ssize_t f = candidates[ci];
            const uint8_t *col = cols + f * n;
            uint64_t present[4] = {0, 0, 0, 0};
            for (Py_ssize_t i = 0; i < m; i++) {
                int32_t r = s[i];
                int g = col[r];
                hist[g * n_classes + y[r]]++;
                total[g]++;
                present[g >> 6] |= (uint64_t)1 << (g & 63);
            }
            if ((present[0] != 0) + (present[1] != 0) + (present[2] != 0) + (present[3] != 0)
                    > 1 || (present[0] & (present[0] - 1)) || (present[1] & (present[1] - 1))
                    || (present[2] & (present[2] - 1)) || (present[3] & (present[3] - 1)))
                varies[n_varies++] = (int32_t)f;
            int64_t n_left = 0, sq_left = 0, sq_right = sq_node;
            for (Py_ssize_t k = 0; k < n_classes; k++)
                run[k] = 0;
            int prev = -1;
            for (int w = 0; w < 4; w++) {
                uint64_t bits = present[w];
                while (bits) {
                    int g = w * 64 + lowest_bit(bits);
                    bits &= bits - 1;
                    if (prev >= 0) {
                        double proxy = gini_proxy((double)n_left, (double)(m - n_left),
                                                  (double)sq_left, (double)sq_right);
                        if (proxy > best) {
                            best = proxy;
                            best_f = f;
                            best_low = prev;
                            best_high = g;
                        }
                    }
                    int64_t *h = hist + g * n_classes;
                    for (Py_ssize_t k = 0; k < n_classes; k++) {
                        int64_t a = h[k];
                        if (a) {
                            int64_t l = run[k], r = c[k] - l;
                            sq_left += (2 * l + a) * a;
                            sq_right -= (2 * r - a) * a;
                            run[k] = l + a;
                            h[k] = 0;
                        }
                    }
                    n_left += total[g];
                    total[g] = 0;
                    prev = g;
                }
            }
        }
        if (best_f < 0)
            continue; /* no feature varies in this node */
        double t = levels[best_low] / 2.0 + levels[best_high] / 2.0;
        if (t == levels[best_high] || isinf(t))
            t = levels[best_low];
        feature[node] = best_f;
        threshold[node] = t;
        const uint8_t *col = cols + best_f * n;
        Py_ssize_t i = 0, j = m;
        while (i < j) {
            if (col[s[i]] <= best_low) {
                i++;
            } else {
                int32_t tmp = s[--j];
                s[j] = s[i];
                s[i] = tmp;
            }
        }
        if (top + 2 > slots) { /* cannot happen: one pending right child per level */
            nodes = -3;
            goto done;
        }
        for (int side = 0; side < 2; side++) {
            memcpy(lists + (top + side) * n_features, varies, sizeof(int32_t) * (size_t)n_varies);
            list_len[top + side] = n_varies;
        }
        stack[top++] = (TreeTask){task.start + i, task.end, task.depth + 1, node, 0};
        stack[top++] = (TreeTask){task.start, task.start + i, task.depth + 1, node, 1};
    }
done:
    free(samples);
    free(stack);
    free(hist);
    free(total);
    free(run);
    free(lists);
    free(list_len);
    free(varies);
    return nodes;
}

static PyObject *
tree_grow(PyObject *self, PyObject *args)
{
    PyObject *o[9];
    Py_buffer b[9];
    Py_ssize_t n, nf, nc, max_depth, got = 0, nodes = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOnnnn", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5],
                          &o[6], &o[7], &o[8], &n, &nf, &nc, &max_depth)
        || check_shape(n, nf) < 0 || check_shape(2 * n, nc) < 0)
        return NULL;
    if (n < 1 || n > INT32_MAX / 2 || nf < 1 || nc < 1 || nc > 256 || max_depth < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "tree_grow needs 1 <= n < 2**30, n_features >= 1, "
                        "1 <= n_classes <= 256 and max_depth >= 0");
        return NULL;
    }
    Py_ssize_t cap = 2 * n - 1;
    Py_ssize_t sizes[9] = {n * nf, n, 256 * 8, cap * 8, cap * 8, cap * 8, cap * 8,
                           cap * nc * 8, cap * 8};
    const char *names[9] = {"columns", "y", "levels", "left", "right", "feature",
                            "threshold", "counts", "depth"};
    for (; got < 9; got++)
        if (take(o[got], &b[got], sizes[got], got >= 3, names[got]) < 0)
            goto release;
    Py_BEGIN_ALLOW_THREADS
    nodes = tree_grow_loop(b[0].buf, b[1].buf, b[2].buf, b[3].buf, b[4].buf, b[5].buf,
                           b[6].buf, b[7].buf, b[8].buf, n, nf, nc, max_depth);
    Py_END_ALLOW_THREADS
    if (nodes == -1)
        PyErr_NoMemory();
    else if (nodes == -2)
        PyErr_Format(PyExc_IndexError, "labels must be in 0..%zd", nc - 1);
    else if (nodes == -3)
        PyErr_SetString(PyExc_RuntimeError, "tree_grow: stack overflow");
    else
        result = PyLong_FromSsize_t(nodes);
release:
    while (got > 0)
        PyBuffer_Release(&b[--got]);
    return result;
}

/* ------------------------------------------------------------------ the playground's epoch */

/* One epoch of neuralab/labs/playground/model.py's PlaygroundNet in float64: its numpy code
 * (PlaygroundNet._epoch_numpy, accumulate, update) is the reference, and this loop does the
 * same operations on each number in the same order, point by point instead of as numpy
 * passes over a batch. Only the order of the sums inside a matrix product may differ (the
 * BLAS chooses its own, and may fuse multiply-adds), and the C library's tanh and exp may
 * differ from numpy's in the last bit; tests hold the two paths within 1e-12 of each other
 * over several epochs. */

/* The codes model.py passes (its _C_* tables). */
enum { PG_RELU, PG_TANH, PG_SIGMOID, PG_LINEAR };                     /* hidden layers */
enum { PG_OUT_TANH, PG_OUT_LINEAR, PG_OUT_SIGMOID, PG_OUT_SOFTMAX };   /* output layer */
enum { PG_SQUARE, PG_CROSS_ENTROPY };                                 /* loss */
enum { PG_REG_NONE, PG_REG_L1, PG_REG_L2 };                           /* regularization */
enum { PG_SGD, PG_MOMENTUM, PG_ADAM };                                /* optimizer */
#define PG_VIEWS 9 /* a layer's arrays: w, b, gw, gb, dead and up to 4 of the optimizer */

typedef struct {
    Py_ssize_t in, out;        /* the weights are in x out (row-major), the biases out */
    double *w, *b, *gw, *gb;   /* parameters, and the gradient sums waiting for an update */
    uint8_t *dead;             /* numpy bools: 1 where L1 killed the weight */
    int any_dead;              /* Layer.any_dead: the dead masks apply only when set */
    double *state[4];          /* momentum: vw, vb; adam: mw, mb, sw, sb (else unused) */
    int act;                   /* a PG_RELU... code; the output layer uses the net's output */
    double *a;                 /* scratch: this layer's outputs for the batch, rows x out */
    Py_buffer views[PG_VIEWS];
    int n_views;
} PgLayer;

typedef struct {
    PgLayer *layers;
    Py_ssize_t n_layers;
    int output, loss, reg, opt;
    double rate, reg_rate;
    Py_ssize_t count, t;       /* points whose gradients wait in gw/gb; adam's updates */
    double *delta, *below;     /* scratch: dL/dz of a layer and of the layer below, rows x width */
    double *sums;              /* scratch: one row of a gradient sum */
} PgNet;

/* The activation of one row of z, in place, as activations.py's numpy functions. */
static void
pg_activate(double *restrict z, Py_ssize_t k, int act)
{
    switch (act) {
    case PG_RELU: /* np.maximum(z, 0): NaN stays NaN, -0.0 stays -0.0 */
        for (Py_ssize_t j = 0; j < k; j++)
            if (z[j] < 0.0)
                z[j] = 0.0;
        break;
    case PG_TANH:
        for (Py_ssize_t j = 0; j < k; j++)
            z[j] = tanh(z[j]);
        break;
    case PG_SIGMOID: /* (1 + tanh(z / 2)) / 2, in sigmoid()'s steps */
        for (Py_ssize_t j = 0; j < k; j++)
            z[j] = (tanh(z[j] * 0.5) + 1.0) * 0.5;
        break;
    default: /* linear */
        break;
    }
}

/* The output activation of one row, in place, as PlaygroundNet._activate. */
static void
pg_output(double *restrict z, Py_ssize_t k, int output)
{
    if (output == PG_OUT_TANH) {
        pg_activate(z, k, PG_TANH);
    } else if (output == PG_OUT_SIGMOID) {
        pg_activate(z, k, PG_SIGMOID);
    } else if (output == PG_OUT_SOFTMAX) {
        double top = z[0], sum = 0.0; /* the row maximum; NaN if any is NaN, as z.max() */
        for (Py_ssize_t j = 1; j < k && top == top; j++)
            if (z[j] > top || z[j] != z[j])
                top = z[j];
        for (Py_ssize_t j = 0; j < k; j++) {
            z[j] = exp(z[j] - top);
            sum += z[j];
        }
        for (Py_ssize_t j = 0; j < k; j++)
            z[j] /= sum;
    }
}

/* Forward: every layer's outputs for `rows` points starting at x (PlaygroundNet.forward). */
static void
pg_forward(PgNet *net, const double *x, Py_ssize_t rows)
{
    const double *in = x;
    for (Py_ssize_t l = 0; l < net->n_layers; l++) {
        PgLayer *L = &net->layers[l];
        for (Py_ssize_t p = 0; p < rows; p++) {
            const double *a = in + p * L->in;
            double *z = L->a + p * L->out;
            for (Py_ssize_t j = 0; j < L->out; j++)
                z[j] = 0.0;
            for (Py_ssize_t i = 0; i < L->in; i++) { /* z = a @ w, summed over i in order */
                const double ai = a[i], *wi = L->w + i * L->out;
                for (Py_ssize_t j = 0; j < L->out; j++)
                    z[j] += ai * wi[j];
            }
            for (Py_ssize_t j = 0; j < L->out; j++) /* then z += b */
                z[j] += L->b[j];
            if (l < net->n_layers - 1)
                pg_activate(z, L->out, L->act);
            else
                pg_output(z, L->out, net->output);
        }
        in = L->a;
    }
}

/* dLoss/dz of the output layer into net->delta (PlaygroundNet._output_delta). */
static void
pg_output_delta(PgNet *net, const double *y, Py_ssize_t rows)
{
    const PgLayer *L = &net->layers[net->n_layers - 1];
    const Py_ssize_t k = L->out;
    for (Py_ssize_t p = 0; p < rows; p++) {
        const double *o = L->a + p * k;
        double *d = net->delta + p * k;
        if (net->loss == PG_SQUARE) { /* one output: out - y, times tanh' for tanh */
            d[0] = o[0] - y[p];
            if (net->output == PG_OUT_TANH)
                d[0] *= 1.0 - o[0] * o[0];
        } else if (net->output == PG_OUT_SOFTMAX) { /* out - onehot(y) */
            for (Py_ssize_t j = 0; j < k; j++)
                d[j] = o[j];
            d[(Py_ssize_t)y[p]] -= 1.0;
        } else { /* sigmoid with cross-entropy: out - (y > 0) */
            d[0] = o[0] - (y[p] > 0.0 ? 1.0 : 0.0);
        }
    }
}

/* delta *= f'(z) of a hidden layer from its outputs a (activations.py's backward). */
static void
pg_derivative(double *restrict d, const double *restrict a, Py_ssize_t n, int act)
{
    switch (act) {
    case PG_RELU: /* delta * (a > 0): 0 * inf is NaN, as in numpy */
        for (Py_ssize_t e = 0; e < n; e++)
            d[e] *= a[e] > 0.0 ? 1.0 : 0.0;
        break;
    case PG_TANH: /* delta -= delta * (a * a) */
        for (Py_ssize_t e = 0; e < n; e++)
            d[e] -= d[e] * (a[e] * a[e]);
        break;
    case PG_SIGMOID: /* delta *= a; delta -= delta * a */
        for (Py_ssize_t e = 0; e < n; e++) {
            double v = d[e] * a[e];
            d[e] = v - v * a[e];
        }
        break;
    default: /* linear */
        break;
    }
}

/* Backward: add the batch's gradient sums into gw and gb, from the output layer down
 * (PlaygroundNet.accumulate after its forward pass). */
static void
pg_backward(PgNet *net, const double *x, Py_ssize_t rows)
{
    for (Py_ssize_t l = net->n_layers - 1; l >= 0; l--) {
        PgLayer *L = &net->layers[l];
        const double *in = l ? net->layers[l - 1].a : x;
        double *d = net->delta, *s = net->sums;
        /* gw += in.T @ delta: each row of the batch's sum first, then added */
        for (Py_ssize_t i = 0; i < L->in; i++) {
            for (Py_ssize_t j = 0; j < L->out; j++)
                s[j] = 0.0;
            for (Py_ssize_t p = 0; p < rows; p++) {
                const double ai = in[p * L->in + i], *dp = d + p * L->out;
                for (Py_ssize_t j = 0; j < L->out; j++)
                    s[j] += ai * dp[j];
            }
            double *g = L->gw + i * L->out;
            for (Py_ssize_t j = 0; j < L->out; j++)
                g[j] += s[j];
        }
        /* gb += delta.sum(axis=0) */
        for (Py_ssize_t j = 0; j < L->out; j++)
            s[j] = 0.0;
        for (Py_ssize_t p = 0; p < rows; p++)
            for (Py_ssize_t j = 0; j < L->out; j++)
                s[j] += d[p * L->out + j];
        for (Py_ssize_t j = 0; j < L->out; j++)
            L->gb[j] += s[j];
        if (!l)
            break;
        /* the layer below: delta @ w.T, then times its activation's derivative */
        for (Py_ssize_t p = 0; p < rows; p++) {
            const double *dp = d + p * L->out;
            double *bp = net->below + p * L->in;
            for (Py_ssize_t i = 0; i < L->in; i++) {
                const double *wi = L->w + i * L->out;
                double v = 0.0;
                for (Py_ssize_t j = 0; j < L->out; j++)
                    v += dp[j] * wi[j];
                bp[i] = v;
            }
        }
        pg_derivative(net->below, net->layers[l - 1].a, rows * L->in, net->layers[l - 1].act);
        net->delta = net->below; /* the layer below's delta becomes the current one */
        net->below = d;
    }
}

/* The optimizer's step for one entry of the gradient sums (the arithmetic of
 * PlaygroundNet._steps on one number): v is its velocity (momentum) or m its first moment and
 * s its second (adam); NULL for sgd. */
static inline double
pg_step(const PgNet *net, double g, double *v, double *s, Py_ssize_t e, double c1, double c2)
{
    const double count = (double)net->count;
    if (net->opt == PG_SGD) /* rate * mean gradient */
        return g * (net->rate / count);
    g /= count; /* the mean gradient */
    if (net->opt == PG_MOMENTUM) { /* v = 0.9 v + g; step rate * v */
        double vel = v[e] * 0.9;
        vel += g;
        v[e] = vel;
        return vel * net->rate;
    }
    double m = v[e] * 0.9, sq = s[e] * 0.999; /* adam: m = 0.9 m + 0.1 g, s = 0.999 s + 0.001 g² */
    m += (1.0 - 0.9) * g;
    sq += (1.0 - 0.999) * g * g;
    v[e] = m;
    s[e] = sq;
    return m / c1 / (sqrt(sq / c2) + 1e-8) * net->rate; /* rate * m̂ / (√ŝ + 1e-8) */
}

/* One update from the waiting gradient sums (PlaygroundNet.update), then zero them. */
static void
pg_update(PgNet *net)
{
    double c1 = 0.0, c2 = 0.0;
    if (net->opt == PG_ADAM) {
        net->t++;
        c1 = 1.0 - pow(0.9, (double)net->t);
        c2 = 1.0 - pow(0.999, (double)net->t);
    }
    const double pull = net->rate * net->reg_rate; /* L1's pull, and L2's shrink */
    const int reg = net->reg_rate == 0.0 ? PG_REG_NONE : net->reg;
    for (Py_ssize_t l = 0; l < net->n_layers; l++) {
        PgLayer *L = &net->layers[l];
        const Py_ssize_t nw = L->in * L->out;
        /* the biases: step, never regularized */
        for (Py_ssize_t j = 0; j < L->out; j++) {
            L->b[j] -= pg_step(net, L->gb[j], L->state[1], L->state[3], j, c1, c2);
            L->gb[j] = 0.0;
        }
        int killed = 0;
        for (Py_ssize_t e = 0; e < nw; e++) {
            const int dead = L->any_dead && L->dead[e];
            /* a dead weight's gradient is 0 (its velocity and moments still decay), and so
             * is its step */
            double step = pg_step(net, dead ? 0.0 : L->gw[e], L->state[0], L->state[2], e, c1,
                                  c2);
            if (dead)
                step = 0.0;
            L->gw[e] = 0.0;
            double w = L->w[e];
            if (reg == PG_REG_NONE) {
                w -= step;
            } else if (reg == PG_REG_L2) { /* R'(w) = w, taken before the step */
                w *= 1.0 - pull;
                w -= step;
            } else { /* L1: R'(w) = sign(w) before the step; crossing zero kills */
                double sign = w > 0.0 ? 1.0 : w < 0.0 ? -1.0 : w == 0.0 ? 0.0 : w;
                w -= step;
                double moved = w - sign * pull;
                if (w * moved < 0.0) {
                    moved = 0.0;
                    L->dead[e] = 1;
                    killed = 1;
                }
                w = moved;
            }
            L->w[e] = w;
        }
        if (killed)
            L->any_dead = 1;
        if (reg == PG_REG_L1 && L->any_dead) /* every dead weight back to 0 */
            for (Py_ssize_t e = 0; e < nw; e++)
                if (L->dead[e])
                    L->w[e] = 0.0;
    }
    net->count = 0;
}

/* The epoch: the points in order, an update after each full batch; a last part-batch stays
 * in gw/gb (net->count) for the next epoch's first update (PlaygroundNet._epoch_numpy). */
static void
pg_epoch_loop(PgNet *net, const double *x, const double *y, Py_ssize_t n, Py_ssize_t batch)
{
    const Py_ssize_t n_in = net->layers[0].in;
    for (Py_ssize_t start = 0; start < n; start += batch) {
        Py_ssize_t rows = n - start < batch ? n - start : batch;
        pg_forward(net, x + start * n_in, rows);
        double *delta = net->delta, *below = net->below; /* pg_backward swaps them */
        pg_output_delta(net, y + start, rows);
        pg_backward(net, x + start * n_in, rows);
        net->delta = delta;
        net->below = below;
        net->count += rows;
        if (rows == batch)
            pg_update(net);
    }
}

/* Borrow a C-contiguous array of `count` items of struct format `format` ("d": float64, or
 * "?": bool), or with count < 0 of any multiple of -count items (*rows gets the multiple). */
static int
take_typed(PyObject *obj, Py_buffer *view, Py_ssize_t count, const char *format, int writable,
           const char *name, Py_ssize_t *rows)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    if (f[0] == '<' || f[0] == '=' || f[0] == '@')
        f++;
    Py_ssize_t items = view->itemsize ? view->len / view->itemsize : -1;
    int fits = strcmp(f, format) == 0 && view->itemsize == (format[0] == 'd' ? 8 : 1)
               && (count >= 0 ? items == count : items % -count == 0);
    if (!fits) {
        if (count >= 0)
            PyErr_Format(PyExc_ValueError, "%s must be a C-contiguous %s array of %zd items",
                         name, format[0] == 'd' ? "float64" : "bool", count);
        else
            PyErr_Format(PyExc_ValueError, "%s must be a C-contiguous float64 array of rows "
                         "of %zd", name, -count);
        PyBuffer_Release(view);
        return -1;
    }
    if (rows)
        *rows = count >= 0 ? 1 : items / -count;
    return 0;
}

/* Borrow one layer's arrays: (weights, biases, weight sums, bias sums, dead, any_dead,
 * *optimizer state), the state 0 (sgd), 2 (momentum) or 4 (adam) arrays. */
static int
pg_take_layer(PgLayer *L, PyObject *item, int opt)
{
    static const char *names[9] = {"weights", "biases", "weight gradients", "bias gradients",
                                   "dead", "", "optimizer state", "optimizer state",
                                   "optimizer state"};
    const Py_ssize_t n_state = opt == PG_SGD ? 0 : opt == PG_MOMENTUM ? 2 : 4;
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 6 + n_state) {
        PyErr_Format(PyExc_ValueError, "pg_epoch: each layer is a tuple of %zd items",
                     6 + n_state);
        return -1;
    }
    int any = PyObject_IsTrue(PyTuple_GET_ITEM(item, 5));
    if (any < 0)
        return -1;
    L->any_dead = any;
    const Py_ssize_t nw = L->in * L->out;
    for (Py_ssize_t k = 0; k < 6 + n_state; k++) {
        if (k == 5)
            continue;
        Py_ssize_t size = k % 2 ? L->out : nw; /* odd: a bias-shaped array */
        Py_buffer *view = &L->views[L->n_views];
        if (take_typed(PyTuple_GET_ITEM(item, k), view, size, k == 4 ? "?" : "d", 1,
                       names[k < 6 ? k : 6], NULL) < 0)
            return -1;
        L->n_views++;
        void *buf = view->buf;
        switch (k) {
        case 0: L->w = buf; break;
        case 1: L->b = buf; break;
        case 2: L->gw = buf; break;
        case 3: L->gb = buf; break;
        case 4: L->dead = buf; break;
        default: L->state[k - 6] = buf; break;
        }
    }
    return 0;
}

/* pg_epoch(X, y, sizes, acts, layers, output, loss, batch, rate, reg, reg_rate, optimizer,
 * count, t) -> (count, t, any_dead): see the methods table and model.py. */
static PyObject *
pg_epoch(PyObject *self, PyObject *args)
{
    PyObject *xo, *yo, *sizes_o, *acts_o, *layers_o, *result = NULL;
    int output, loss, reg, opt, have_x = 0, have_y = 0;
    Py_ssize_t batch, count, t, n = 0, n_y = 0, widest = 1, scratch = 0;
    double rate, reg_rate;
    Py_buffer xb, yb;
    PgNet net = {0};
    double *memory = NULL;
    if (!PyArg_ParseTuple(args, "OOOOOiindidinn", &xo, &yo, &sizes_o, &acts_o, &layers_o,
                          &output, &loss, &batch, &rate, &reg, &reg_rate, &opt, &count, &t))
        return NULL;
    if (!PyTuple_Check(sizes_o) || !PyTuple_Check(acts_o) || !PyList_Check(layers_o)) {
        PyErr_SetString(PyExc_TypeError, "pg_epoch: sizes and acts are tuples, layers a list");
        return NULL;
    }
    net.n_layers = PyList_GET_SIZE(layers_o);
    net.output = output;
    net.loss = loss;
    net.reg = reg;
    net.opt = opt;
    net.rate = rate;
    net.reg_rate = reg_rate;
    net.count = count;
    net.t = t;
    if (net.n_layers < 1 || PyTuple_GET_SIZE(sizes_o) != net.n_layers + 1
        || PyTuple_GET_SIZE(acts_o) != net.n_layers - 1 || batch < 1 || count < 0 || t < 0
        || output < PG_OUT_TANH || output > PG_OUT_SOFTMAX || loss < PG_SQUARE
        || loss > PG_CROSS_ENTROPY || reg < PG_REG_NONE || reg > PG_REG_L2 || opt < PG_SGD
        || opt > PG_ADAM) {
        PyErr_SetString(PyExc_ValueError, "pg_epoch: bad layer count, batch size or code");
        return NULL;
    }
    /* the output and loss pairs _output_delta knows: tanh or linear with the squared error
     * (one output), sigmoid (one output) or softmax with cross-entropy */
    if (loss == PG_SQUARE ? output > PG_OUT_LINEAR : output < PG_OUT_SIGMOID) {
        PyErr_SetString(PyExc_ValueError, "pg_epoch: tanh and linear outputs take the "
                        "squared error, sigmoid and softmax cross-entropy");
        return NULL;
    }
    net.layers = PyMem_Calloc((size_t)net.n_layers, sizeof(PgLayer));
    if (!net.layers)
        return PyErr_NoMemory();
    /* the layers' sizes and activations */
    for (Py_ssize_t l = 0; l <= net.n_layers; l++) {
        Py_ssize_t size = PyLong_AsSsize_t(PyTuple_GET_ITEM(sizes_o, l));
        if (size == -1 && PyErr_Occurred())
            goto release;
        if (size < 1 || size > 4096) {
            PyErr_SetString(PyExc_ValueError, "pg_epoch: layer sizes must be 1..4096");
            goto release;
        }
        if (l < net.n_layers)
            net.layers[l].in = size;
        if (l > 0)
            net.layers[l - 1].out = size;
        widest = size > widest ? size : widest;
    }
    if (net.layers[net.n_layers - 1].out != 1 && output != PG_OUT_SOFTMAX) {
        PyErr_SetString(PyExc_ValueError, "pg_epoch: only a softmax output has several neurons");
        goto release;
    }
    for (Py_ssize_t l = 0; l < net.n_layers - 1; l++) {
        long act = PyLong_AsLong(PyTuple_GET_ITEM(acts_o, l));
        if (act == -1 && PyErr_Occurred())
            goto release;
        if (act < PG_RELU || act > PG_LINEAR) {
            PyErr_SetString(PyExc_ValueError, "pg_epoch: bad activation code");
            goto release;
        }
        net.layers[l].act = (int)act;
    }
    /* the arrays */
    if (take_typed(xo, &xb, -net.layers[0].in, "d", 0, "X", &n) < 0)
        goto release;
    have_x = 1;
    if (take_typed(yo, &yb, -1, "d", 0, "y", &n_y) < 0)
        goto release;
    have_y = 1;
    if (n_y != n) {
        PyErr_Format(PyExc_ValueError, "pg_epoch: %zd rows of X but %zd labels", n, n_y);
        goto release;
    }
    for (Py_ssize_t l = 0; l < net.n_layers; l++)
        if (pg_take_layer(&net.layers[l], PyList_GET_ITEM(layers_o, l), opt) < 0)
            goto release;
    if (output == PG_OUT_SOFTMAX) { /* y.astype(intp) must index a class */
        const double *y = yb.buf;
        for (Py_ssize_t p = 0; p < n; p++)
            if (!(y[p] > -1.0 && y[p] < (double)net.layers[net.n_layers - 1].out)) {
                PyErr_Format(PyExc_IndexError, "labels must be in 0..%zd",
                             net.layers[net.n_layers - 1].out - 1);
                goto release;
            }
    }
    /* scratch: every layer's outputs for a batch, two deltas and a row of sums */
    Py_ssize_t rows = batch < n ? batch : (n > 0 ? n : 1); /* the largest batch there is */
    if (check_shape(rows, widest * (net.n_layers + 3)) < 0)
        goto release;
    for (Py_ssize_t l = 0; l < net.n_layers; l++)
        scratch += rows * net.layers[l].out;
    scratch += 2 * rows * widest + widest;
    memory = PyMem_Malloc(sizeof(double) * (size_t)scratch);
    if (!memory) {
        PyErr_NoMemory();
        goto release;
    }
    double *next = memory;
    for (Py_ssize_t l = 0; l < net.n_layers; l++) {
        net.layers[l].a = next;
        next += rows * net.layers[l].out;
    }
    net.delta = next;
    net.below = next + rows * widest;
    net.sums = next + 2 * rows * widest;

    Py_BEGIN_ALLOW_THREADS
    pg_epoch_loop(&net, xb.buf, yb.buf, n, batch);
    Py_END_ALLOW_THREADS

    PyObject *dead = PyTuple_New(net.n_layers);
    if (dead) {
        for (Py_ssize_t l = 0; l < net.n_layers; l++)
            PyTuple_SET_ITEM(dead, l, PyBool_FromLong(net.layers[l].any_dead));
        result = Py_BuildValue("nnN", net.count, net.t, dead);
    }
release:
    PyMem_Free(memory);
    for (Py_ssize_t l = 0; l < net.n_layers; l++)
        while (net.layers[l].n_views > 0)
            PyBuffer_Release(&net.layers[l].views[--net.layers[l].n_views]);
    PyMem_Free(net.layers);
    if (have_y)
        PyBuffer_Release(&yb);
    if (have_x)
        PyBuffer_Release(&xb);
    return result;
}

static PyMethodDef methods[] = {
    {"bias_act", bias_act, METH_VARARGS, "bias_act(z, b, n, k, relu): z += b, then relu."},
    {"relu_backward", relu_backward, METH_VARARGS,
     "relu_backward(d, a, sums, n, k): d *= (a > 0), and sums = d.sum(0)."},
    {"softmax_xent", softmax_xent, METH_VARARGS,
     "softmax_xent(z, y, sums, n, k) -> (loss_sum, correct); z becomes dL/dz of the mean "
     "loss, and sums its column sums."},
    {"l2_gradient", l2_gradient, METH_VARARGS,
     "l2_gradient(g, w, c, n) -> sum(w**2); g += c * w."},
    {"adam", adam, METH_VARARGS, "adam(p, g, m, v, b1, b2, c, eps, n): one Adam update."},
    {"csr_matmul", csr_matmul, METH_VARARGS,
     "csr_matmul(data, indices, indptr, rows, w, out, m, n_features, k, threads=1): "
     "out = X[rows] @ w."},
    {"csr_count", csr_count, METH_VARARGS,
     "csr_count(x, indptr, n, d) -> nnz: the CSR indptr of a dense float32 x."},
    {"csr_fill", csr_fill, METH_VARARGS,
     "csr_fill(x, indptr, data, indices, n, d): the CSR data and indices of a dense x (both "
     "of length indptr[-1] + 1: the last slot is scratch)."},
    {"csr_t_matmul", csr_t_matmul, METH_VARARGS,
     "csr_t_matmul(data, indices, indptr, rows, d, g, m, n_features, k, threads=1): "
     "g = X[rows].T @ d."},
    {"tree_grow", tree_grow, METH_VARARGS,
     "tree_grow(columns, y, levels, left, right, feature, threshold, counts, depth, n, "
     "n_features, n_classes, max_depth) -> node count: a gini CART tree on uint8 codes."},
    {"pg_epoch", pg_epoch, METH_VARARGS,
     "pg_epoch(X, y, sizes, acts, layers, output, loss, batch, rate, reg, reg_rate, optimizer, "
     "count, t) -> (count, t, any_dead): one epoch of the playground's network in float64; "
     "each layer is (weights, biases, weight sums, bias sums, dead, any_dead, *optimizer "
     "state), all updated in place."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kernels", "Fused loops for neuralab.nn (and the playground's float64 epoch).", -1, methods,
};

PyMODINIT_FUNC
PyInit__kernels(void)
{
    return PyModule_Create(&module);
}
