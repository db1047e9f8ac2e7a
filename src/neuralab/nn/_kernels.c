/*
 * Fused float32 loops for the training step of neuralab.nn (an optional C extension).
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
 *
 * Arrays arrive through the buffer protocol and must be C-contiguous; kernels.py checks
 * dtypes and shapes, and this file checks byte lengths. Compiled with -ffp-contract=off, so
 * the L2 gradient and adam round exactly as numpy does and give bit-identical results.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

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
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kernels", "Fused float32 loops for neuralab.nn.", -1, methods,
};

PyMODINIT_FUNC
PyInit__kernels(void)
{
    return PyModule_Create(&module);
}
