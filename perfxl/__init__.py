"""perfxl: 财政项目支出绩效目标表 through Excel and back, exactly."""

__version__ = "0.1.0"
