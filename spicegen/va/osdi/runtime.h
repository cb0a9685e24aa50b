/* spicegen's native device runtime: the OSDI 0.3 interface that ngspice 46 loads, declared
 * here from the published interface (field order and types are what ngspice reads), and the
 * helpers every generated model shares. Generated code is reentrant: ngspice evaluates
 * instances on several threads at once, so nothing here keeps mutable global state except
 * the log callback, which ngspice sets once when it loads the library. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* parameter kinds and types */
#define SG_PARA_REAL 0u
#define SG_PARA_INT 1u
#define SG_PARA_KIND_MODEL (0u << 30)
#define SG_PARA_KIND_INST (1u << 30)
/* access() flags */
#define SG_ACCESS_SET 1u
#define SG_ACCESS_INSTANCE 4u
/* Jacobian entry flags */
#define SG_JACOBIAN_RESIST 4u
#define SG_JACOBIAN_REACT 8u
/* simulation flags */
#define SG_CALC_REACT_RESIDUAL 2u
#define SG_INIT_LIM 512u
#define SG_ANALYSIS_NOISE 1024u
#define SG_ANALYSIS_DC 2048u
#define SG_ANALYSIS_AC 4096u
#define SG_ANALYSIS_TRAN 8192u
#define SG_ANALYSIS_IC 16384u
#define SG_ANALYSIS_STATIC 32768u
/* eval return flags */
#define SG_EVAL_FATAL 2u
#define SG_EVAL_STOP 8u
/* log levels; ngspice 46 prints every level to stdout, so messages carry their own word */
#define SG_LOG_DISPLAY 1u
#define SG_LOG_WARN 3u
#define SG_LOG_ERR 4u
#define SG_LOG_FATAL 5u
#define SG_INIT_ERR_OUT_OF_BOUNDS 1u
#define SG_NONE UINT32_MAX

typedef struct {
    char **names;
    double *vals;
    char **names_str;
    char **vals_str;
} sg_sim_paras;

typedef struct {
    sg_sim_paras paras;
    double abstime;
    double *prev_solve;
    double *prev_state;
    double *next_state;
    uint32_t flags;
} sg_sim_info;

typedef struct {
    uint32_t code;
    uint32_t parameter_id;
} sg_init_error;

typedef struct {
    uint32_t flags;
    uint32_t num_errors;
    sg_init_error *errors;
} sg_init_info;

typedef struct {
    uint32_t node_1;
    uint32_t node_2;
} sg_node_pair;

typedef struct {
    sg_node_pair nodes;
    uint32_t react_ptr_off;
    uint32_t flags;
} sg_jacobian_entry;

typedef struct {
    char *name;
    char *units;
    char *residual_units;
    uint32_t resist_residual_off;
    uint32_t react_residual_off;
    uint32_t resist_limit_rhs_off;
    uint32_t react_limit_rhs_off;
    bool is_flow;
} sg_node;

typedef struct {
    char **name;
    uint32_t num_alias;
    char *description;
    char *units;
    uint32_t flags;
    uint32_t len;
} sg_param;

typedef struct {
    char *name;
    sg_node_pair nodes;
} sg_noise_source;

typedef struct {
    char *name;
    uint32_t num_nodes;
    uint32_t num_terminals;
    sg_node *nodes;
    uint32_t num_jacobian_entries;
    sg_jacobian_entry *jacobian_entries;
    uint32_t num_collapsible;
    sg_node_pair *collapsible;
    uint32_t collapsed_offset;
    sg_noise_source *noise_sources;
    uint32_t num_noise_src;
    uint32_t num_params;
    uint32_t num_instance_params;
    uint32_t num_opvars;
    sg_param *param_opvar;
    uint32_t node_mapping_offset;
    uint32_t jacobian_ptr_resist_offset;
    uint32_t num_states;
    uint32_t state_idx_off;
    uint32_t bound_step_offset;
    uint32_t instance_size;
    uint32_t model_size;
    void *(*access)(void *inst, void *model, uint32_t id, uint32_t flags);
    void (*setup_model)(void *handle, void *model, sg_sim_paras *paras, sg_init_info *res);
    void (*setup_instance)(void *handle, void *inst, void *model, double temperature,
                           uint32_t num_terminals, sg_sim_paras *paras, sg_init_info *res);
    uint32_t (*eval)(void *handle, void *inst, void *model, const sg_sim_info *info);
    void (*load_noise)(void *inst, void *model, double freq, double *noise_dens,
                       double *ln_noise_dens);
    void (*load_residual_resist)(void *inst, void *model, double *dst);
    void (*load_residual_react)(void *inst, void *model, double *dst);
    void (*load_limit_rhs_resist)(void *inst, void *model, double *dst);
    void (*load_limit_rhs_react)(void *inst, void *model, double *dst);
    void (*load_spice_rhs_dc)(void *inst, void *model, double *dst, double *prev_solve);
    void (*load_spice_rhs_tran)(void *inst, void *model, double *dst, double *prev_solve,
                                double alpha);
    void (*load_jacobian_resist)(void *inst, void *model);
    void (*load_jacobian_react)(void *inst, void *model, double alpha);
    void (*load_jacobian_tran)(void *inst, void *model, double alpha);
} sg_descriptor;

/* ngspice fills this slot when it loads the library */
extern void (*osdi_log)(void *handle, char *message, uint32_t level);

static inline double sg_simparam(const sg_sim_paras *paras, const char *name, double fallback,
                                 int *found)
{
    for (char **n = paras->names; n && *n; n++) {
        if (strcmp(*n, name) == 0) {
            *found = 1;
            return paras->vals[n - paras->names];
        }
    }
    *found = 0;
    return fallback;
}

/* compensated accumulation of s += a*b (error-free product with fma, error-free sum): the
 * right-hand side J*x - f of a row cancels terms of the size of the node voltages down to
 * a current (1 pA out of 1 V over 100 ohm: 9 digits), which plain sums leave at the size of
 * their rounding error, above a tight abstol */
static inline void sg_accumulate(double *s, double *c, double a, double b)
{
    double p = a * b, product_error = fma(a, b, -p);
    double t = *s + p, z = t - *s;
    double sum_error = (*s - (t - z)) + (p - z);
    *s = t;
    *c += product_error + sum_error;
}

/* a built-in's derivative where it is infinite (sqrt at 0, ...): a large finite slope, so
 * that a zero factor before it (the common 0*sqrt(|v|) at 0 V) still gives 0, not NaN */
static inline double sg_finite(double slope)
{
    if (isfinite(slope))
        return slope;
    return isnan(slope) ? 0.0 : copysign(1e30, slope);
}

/* ---- random numbers: counter-based (splitmix64), so a draw depends only on its inputs ---- */
static inline uint64_t sg_mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* uniform on (0, 1): 53 random bits, never exactly 0 */
static inline double sg_uniform(uint64_t key)
{
    return ((double)(sg_mix(key) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static inline double sg_normal(uint64_t key)
{
    double u1 = sg_uniform(key), u2 = sg_uniform(key ^ 0x5851f42d4c957f2dull);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static inline uint64_t sg_key(uint64_t seed, uint64_t site, uint64_t count)
{
    return sg_mix(sg_mix(seed ^ sg_mix(site)) ^ count);
}

/* a draw from a Verilog-A seed variable, which it advances (LRM: the seed is inout) */
static inline double sg_seeded_uniform(int32_t *seed)
{
    uint64_t z = sg_mix((uint64_t)(uint32_t)*seed);
    *seed = (int32_t)(uint32_t)(z >> 32);
    return ((double)(z >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static inline double sg_seeded_normal(int32_t *seed)
{
    double u1 = sg_seeded_uniform(seed), u2 = sg_seeded_uniform(seed);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static inline int32_t sg_seeded_integer(int32_t *seed)
{
    uint64_t z = sg_mix((uint64_t)(uint32_t)*seed);
    *seed = (int32_t)(uint32_t)(z >> 32);
    return (int32_t)(uint32_t)z;
}

/* ---- events and the step bound ---- */
/* ngspice rejects a converged step when the bound read after it is below 0.9 of the step, and
 * retries from the last accepted point with the bound as the step: a step that passed an
 * event at t_event is retried so that it lands on t_event (within tolerance). */
static inline void sg_land(double *bound, double t_prev, double t_now, double t_event,
                           double tolerance)
{
    double step = t_now - t_prev;
    if (step <= 0.0 || t_now - t_event <= tolerance)
        return;
    /* a hair past the event, so that rounding cannot leave the retry just short of it */
    double wanted = (t_event - t_prev) * (1.0 + 1e-9);
    if (wanted < 0.9 * step && wanted > 0.0 && wanted < *bound)
        *bound = wanted;
}

/* an accepted point before t_event: keep the next step from passing it when that does not
 * reject the present one. The bound is a hair longer than the distance: a step that
 * reaches exactly an ngspice breakpoint is forced onto it, while one a rounding error short
 * of it would be halved (dctran.c "equalise the last two time steps"), again and again. */
static inline void sg_approach(double *bound, double t_prev, double t_now, double t_event)
{
    double left = t_event - t_now, step = t_now - t_prev;
    if (left > 0.0 && left >= 0.9 * step && left * (1.0 + 1e-9) < *bound)
        *bound = left * (1.0 + 1e-9);
}

static inline int sg_crossed(double before, double now, int direction)
{
    int up = before < 0.0 && now >= 0.0, down = before > 0.0 && now <= 0.0;
    return direction > 0 ? up : direction < 0 ? down : (up || down);
}

/* ---- messages ---- */
static inline void sg_message(void *handle, uint32_t level, const char *format, ...)
{
    char text[1024];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(text, sizeof text - 2, format, args);
    va_end(args);
    if (n < 0)
        return;
    size_t length = strlen(text);
    if (length == 0 || text[length - 1] != '\n') {
        text[length] = '\n';
        text[length + 1] = '\0';
    }
    if (osdi_log)
        osdi_log(handle, text, level);
    else
        fputs(text, level >= SG_LOG_WARN ? stderr : stdout);
}

/* the instance name in ngspice's handle (kind, name), for %m */
static inline const char *sg_instance_name(void *handle)
{
    if (!handle)
        return "";
    const char *name = *(char *const *)((const char *)handle + sizeof(void *));
    return name ? name : "";
}

/* ---- transition(): a linear ramp to each new input value, held between time points ---- */
typedef struct {
    double target, from, to, start, end;
    int32_t ok;
} sg_ramp;

static inline double sg_ramp_at(const sg_ramp *ramp, double t)
{
    if (t <= ramp->start)
        return ramp->from;
    if (t >= ramp->end)
        return ramp->to;
    return ramp->from + (ramp->to - ramp->from) * (t - ramp->start) / (ramp->end - ramp->start);
}

static inline double sg_transition(const sg_ramp *committed, sg_ramp *pending, double input,
                                   double now, double t_prev, int transient, double delay,
                                   double rise, double fall, double *bound)
{
    if (!transient || !committed->ok) {
        sg_ramp still = {input, input, input, now, now, 1};
        *pending = still;
        return input;
    }
    sg_ramp ramp = *committed;
    if (input != ramp.target) {
        /* a new value: ramp from where the output is now, starting after the delay */
        double from = sg_ramp_at(&ramp, now);
        double span = input > from ? rise : fall;
        if (!(span > 0.0))
            span = 1e-12;
        ramp.target = input;
        ramp.from = from;
        ramp.to = input;
        ramp.start = now + (delay > 0.0 ? delay : 0.0);
        ramp.end = ramp.start + span;
    }
    *pending = ramp;
    /* land on the corners of the ramp */
    sg_approach(bound, t_prev, now, ramp.start);
    sg_approach(bound, t_prev, now, ramp.end);
    if (now > ramp.start && now < ramp.end && ramp.end - ramp.start < *bound)
        *bound = ramp.end - ramp.start;
    return sg_ramp_at(&ramp, now);
}

/* ---- absdelay(): the input at accepted points, kept in a ring, read back later ---- */
#define SG_HISTORY 1024
typedef struct {
    double t[SG_HISTORY], x[SG_HISTORY];
    int32_t count, next;
} sg_history;

static inline void sg_history_add(sg_history *h, double t, double x)
{
    int32_t last = (h->next + SG_HISTORY - 1) % SG_HISTORY;
    if (h->count > 0 && !(t > h->t[last]))
        return;
    h->t[h->next] = t;
    h->x[h->next] = x;
    h->next = (h->next + 1) % SG_HISTORY;
    if (h->count < SG_HISTORY)
        h->count++;
}

static inline double sg_history_at(const sg_history *h, double t, double fallback)
{
    if (h->count == 0)
        return fallback;
    int32_t newest = (h->next + SG_HISTORY - 1) % SG_HISTORY;
    int32_t oldest = (h->next + SG_HISTORY - h->count) % SG_HISTORY;
    if (t >= h->t[newest])
        return h->x[newest];
    if (t <= h->t[oldest])
        return h->x[oldest];
    for (int32_t k = 0; k < h->count - 1; k++) {
        int32_t b = (newest + SG_HISTORY - k) % SG_HISTORY, a = (b + SG_HISTORY - 1) % SG_HISTORY;
        if (h->t[a] <= t) {
            double w = (t - h->t[a]) / (h->t[b] - h->t[a]);
            return h->x[a] + w * (h->x[b] - h->x[a]);
        }
    }
    return h->x[oldest];
}

/* $strobe outside a transient: the converged message of a DC point, said once */
static inline void sg_strobe_static(void *handle, const char *text, char *shown)
{
    if (strcmp(text, shown) != 0) {
        sg_message(handle, SG_LOG_DISPLAY, "%s", text);
        strncpy(shown, text, 255);
        shown[255] = '\0';
    }
}
