"""nianbao.batch — the city office's cycle: the roster, distribute, collect and its dashboard."""
