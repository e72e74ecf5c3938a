// Non-variadic wrappers over libedit's el_set/el_get/history, which Swift cannot call
// directly because they are C variadic functions.
#ifndef CEDITLINE_SHIM_H
#define CEDITLINE_SHIM_H

#include <histedit.h>
#include <stddef.h>
#include <wchar.h>

typedef char *(*cel_prompt_function)(EditLine *);
typedef unsigned char (*cel_command_function)(EditLine *, int);
typedef int (*cel_read_function)(EditLine *, wchar_t *);

static inline int cel_set_prompt(EditLine *el, cel_prompt_function f) { return el_set(el, EL_PROMPT, f); }
static inline int cel_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int cel_set_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int cel_set_signal_handling(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int cel_set_read_function(EditLine *el, cel_read_function f) { return el_set(el, EL_GETCFN, f); }
static inline int cel_add_command(EditLine *el, const char *name, const char *help, cel_command_function f) {
    return el_set(el, EL_ADDFN, name, help, f);
}
static inline int cel_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, (const char *)NULL);
}
static inline int cel_set_client_data(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *cel_client_data(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}

static inline int cel_history_set_size(History *h, int size) { HistEvent ev; return history(h, &ev, H_SETSIZE, size); }
static inline int cel_history_set_unique(History *h, int unique) { HistEvent ev; return history(h, &ev, H_SETUNIQUE, unique); }
static inline int cel_history_enter(History *h, const char *line) { HistEvent ev; return history(h, &ev, H_ENTER, line); }
static inline int cel_history_clear(History *h) { HistEvent ev; return history(h, &ev, H_CLEAR); }

#endif
