"""Serving a class: several server processes pinned to cores (workers) behind an HAProxy
whose configuration is generated here (haproxy_config), and the cores a process may use
(cores)."""
