"""Views: matplotlib drawings of a result they are given. They compute no science."""
