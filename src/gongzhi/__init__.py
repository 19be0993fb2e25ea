"""共治 gongzhi — grassroots co-governance and volunteer-service platform."""

__version__ = "0.1.0"
