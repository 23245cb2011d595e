console.log("pixel build placeholder")
